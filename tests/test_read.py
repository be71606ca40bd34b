"""Stage 1, reading: files, folders and stdin into text, with the one-line reasons a file is refused."""

from __future__ import annotations

import hashlib

import pytest
from conftest import EXAMPLES
from factories import letter_text

from kg import ParseError
from kg.read import Document, decode_text, discover, read_document


def test_utf8_bom_utf16_and_cp1252_read_as_the_same_text():
    text = letter_text()
    assert decode_text(text.encode("utf-8-sig")) == text
    assert decode_text(text.encode("utf-16")) == text
    assert decode_text("Réviewer – “quoted”".encode("cp1252")) == "Réviewer – “quoted”"


def test_binary_is_refused():
    with pytest.raises(ParseError, match="binary file"):
        decode_text(b"\x00\x01\x02\x03" * 100)


def test_a_file_is_hashed_once_when_its_hash_is_known(tmp_path):
    path = tmp_path / "letter.txt"
    path.write_text(letter_text())
    text, digest = read_document(Document(str(path), path))
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    known = "f" * 64  # a build's main process passes what it already knows; nothing is hashed again
    assert read_document(Document(str(path), path, sha256=known)) == (text, known)


def test_discover_walks_folders_sorted_and_keeps_only_letters(tmp_path):
    (tmp_path / "b").mkdir()
    for name in ("b/2.txt", "a.pdf", "b/1.txt", "notes.docx"):
        (tmp_path / name).write_text("x")
    names = [d.name for d in discover([tmp_path])]
    assert names == [str(tmp_path / "a.pdf"), str(tmp_path / "b" / "1.txt"), str(tmp_path / "b" / "2.txt")]
    assert [d.path for d in discover([EXAMPLES / "synthetic-2016-facet.txt"])] == [
        EXAMPLES / "synthetic-2016-facet.txt"
    ]


def test_missing_and_non_pdf_files_say_why(tmp_path):
    with pytest.raises(ParseError, match="cannot read file"):
        read_document(Document("gone.txt", tmp_path / "gone.txt"))
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"hello")
    with pytest.raises(ParseError, match="no %PDF header"):
        read_document(Document(str(fake), fake))
