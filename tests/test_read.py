"""Stage 1, reading: files, folders and stdin into text, with the one-line reasons a file is refused."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from conftest import EXAMPLES
from factories import letter_text

from kg import ParseError
from kg.reading.read import Document, decode_text, discover, read_document


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


def test_odd_utf16_and_lone_surrogates_decode_instead_of_failing():
    text = letter_text()
    assert decode_text(text.encode("utf-16") + b"x").startswith(text[:50])  # an odd last byte
    lone = b"\xff\xfe" + "abc".encode("utf-16-le") + b"\x00\xd8" + "def".encode("utf-16-le")
    assert decode_text(lone).startswith("abc")


def test_a_pipe_is_refused_without_reading_it(tmp_path):
    import os

    fifo = tmp_path / "letter.txt"
    os.mkfifo(fifo)
    with pytest.raises(ParseError, match="not a regular file"):
        read_document(Document(str(fifo), fifo))


def test_the_walker_reports_links_and_pipes_it_cannot_read(tmp_path):
    import os

    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    (tmp_path / "dangling.pdf").symlink_to(tmp_path / "nowhere.pdf")
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "ok.txt").write_text("x")
    docs = {os.path.basename(d.name): d.problem for d in discover([tmp_path])}
    assert docs["ok.txt"] is None
    assert docs["loop.txt"] and docs["dangling.pdf"] == "a link to nothing" and docs["pipe.txt"] == "not a regular file"


def test_any_failure_costs_one_document_never_the_batch(monkeypatch, tmp_path):
    import kg.reading.parse
    from kg.reading.parse import parse_document

    path = tmp_path / "letter.txt"
    path.write_text(letter_text())

    def broken(text, name):
        raise KeyError("surprise")

    monkeypatch.setattr(kg.reading.parse, "parse_text", broken)
    outcome = parse_document(Document(str(path), path))
    assert outcome.letter is None and "internal error (KeyError" in outcome.error


def test_a_folder_tree_a_thousand_levels_deep_is_walked_whole(tmp_path):
    """0.7.0 walked folders recursively: a tree ~1,000 levels deep raised RecursionError and the
    run lost every letter. The walk keeps its own stack."""
    from kg.reading.read import discover

    (tmp_path / "a.txt").write_text("top")
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        for _ in range(1100):  # os.makedirs would itself recurse past Python's limit
            os.mkdir("d", dir_fd=fd)
            below = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = below
        with open(os.open("deep.txt", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "w") as f:
            f.write("bottom")
    finally:
        os.close(fd)
    try:
        names = [Path(d.name).name for d in discover([tmp_path]) if d.problem is None]
        assert names == ["a.txt", "deep.txt"]
    finally:  # bottom up: shutil.rmtree (pytest's clean-up of old temporary folders) recurses per level
        deepest = os.path.join(tmp_path, *(["d"] * 1100))
        os.remove(os.path.join(deepest, "deep.txt"))
        for level in range(1100, 0, -1):
            os.rmdir(os.path.join(tmp_path, *(["d"] * level)))


def test_standard_input_is_held_to_the_size_bound(tmp_path):
    """`imrkg parse -` read all of standard input, past the 20 MB any file is held to."""
    import subprocess
    import sys

    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.write(b"x" * (21 * 2**20))
    with big.open("rb") as stdin:
        res = subprocess.run(
            [sys.executable, "-m", "kg.cli", "parse", "-"], stdin=stdin, capture_output=True, text=True
        )
    assert res.returncode == 1
    assert "<stdin>: input too large for a determination letter (over 20 MB)" in res.stderr
