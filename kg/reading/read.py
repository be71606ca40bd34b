"""Inputs -> raw text: PDF through pdfium, text files with encoding detection, stdin, directories.

Each input is read independently; a file that cannot be read raises :class:`ParseError` with a
one-line reason, so a batch can report it and go on.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.reading.errors import ParseError

SUFFIXES = (".pdf", ".txt")
MAX_BYTES = 20 * 1024 * 1024  # a determination letter is a few pages; 20 MB of text is not one
MAX_PAGES = 200  # the longest real letters have about 20 pages
MAX_CHARS = 2_000_000  # decoded text; a small file can expand into far more (a PDF's compressed streams)


@dataclass(frozen=True, slots=True)
class Document:
    """One input: a file, or stdin's bytes."""

    name: str  # the file name users see in records and messages
    path: Path | None
    data: bytes | None = None  # stdin content
    sha256: str | None = None  # of the bytes, when the caller already knows it (no second hashing)
    problem: str | None = None  # why the walker could not take it (reported, never skipped silently)


def discover(paths: Iterable[str | Path]) -> Iterator[Document]:
    """Expand files, directories (recursively, sorted) and ``-`` (stdin) into documents."""
    for raw in paths:
        if str(raw) == "-":
            yield _stdin()
            continue
        path = Path(raw)
        if path.is_dir():
            yield from _walk(str(path))
        else:
            yield Document(str(path), path)


def _walk(top: str) -> Iterator[Document]:
    """Letter files under ``top``, depth first, each directory's entries sorted by name.

    One directory's listing is held per level of the path being walked, so a million letters in
    a folder tree cost no more memory than its largest folders; the walk keeps its own stack, so
    a tree however deep (1,000 levels aborted 0.7.0 with a RecursionError) is walked whole.
    """
    stack: list[Iterator[os.DirEntry[str]]] = []
    listing = _listing(top)
    if isinstance(listing, Document):
        yield listing
        return
    stack.append(listing)
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                below = _listing(entry.path)
                if isinstance(below, Document):
                    yield below
                else:
                    stack.append(below)
                continue
            is_letter = os.path.splitext(entry.name)[1].lower() in SUFFIXES
            if is_letter and entry.is_file():
                yield Document(entry.path, Path(entry.path))
            elif is_letter:
                kind = "a link to nothing" if entry.is_symlink() else "not a regular file"
                yield Document(entry.path, Path(entry.path), problem=kind)
        except OSError as err:  # a link that points at itself, a file gone while walking
            yield Document(entry.path, Path(entry.path), problem=f"cannot read: {err.strerror or err}")


def _listing(folder: str) -> Iterator[os.DirEntry[str]] | Document:
    """A folder's entries sorted by name, or the problem that keeps it from being read."""
    try:
        with os.scandir(folder) as entries:
            return iter(sorted(entries, key=lambda e: e.name))
    except OSError as err:
        return Document(folder, Path(folder), problem=f"cannot read folder: {err.strerror or err}")


def _stdin() -> Document:
    """Standard input as one document, read up to the size bound (``parse -`` read it whole)."""
    data = sys.stdin.buffer.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return Document(
            "<stdin>", None, b"", problem=f"input too large for a determination letter (over {MAX_BYTES // 2**20} MB)"
        )
    return Document("<stdin>", None, data)


def read_text(doc: Document) -> str:
    """The document's text; PDF pages joined by newlines."""
    return read_document(doc)[0]


def read_document(doc: Document) -> tuple[str, str]:
    """(text, sha256 of the file's bytes)."""
    if doc.problem:
        raise ParseError(doc.problem)
    if doc.data is not None:
        data = doc.data
    else:
        assert doc.path is not None
        try:
            st = doc.path.stat()
        except OSError as err:
            raise ParseError(f"cannot read file: {err.strerror or err}") from None
        if not stat.S_ISREG(st.st_mode):  # a FIFO or /dev/zero would hang or fill memory
            raise ParseError("not a regular file (a pipe, device or socket)")
        size = st.st_size
        if size > MAX_BYTES:
            raise ParseError(f"file too large for a determination letter ({size // (1024 * 1024)} MB)")
        try:
            data = doc.path.read_bytes()
        except OSError as err:
            raise ParseError(f"cannot read file: {err.strerror or err}") from None
    digest = doc.sha256 or hashlib.sha256(data).hexdigest()
    if data[:5] == b"%PDF-" or (doc.path is not None and doc.path.suffix.lower() == ".pdf"):
        return pdf_text(data), digest
    return decode_text(data), digest


def pdf_text(data: bytes) -> str:
    """The text layer of a PDF (pdfium), pages joined by newlines; a clear reason when there is none."""
    import pypdfium2 as pdfium  # imported here: text-only runs need not load it

    if not data.lstrip()[:5] == b"%PDF-":
        raise ParseError("not a PDF (no %PDF header)")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        message = str(err)
        if "password" in message.lower():
            raise ParseError("encrypted PDF (password required)") from None
        detail = message.split(":")[-1].strip(" .)") or "unreadable"
        raise ParseError(f"corrupt PDF ({detail})") from None
    try:
        if len(pdf) > MAX_PAGES:
            raise ParseError(f"too many pages for a determination letter ({len(pdf)})")
        pages, chars = [], 0
        for number in range(len(pdf)):
            try:
                page = pdf[number]
                textpage = page.get_textpage()
                text = textpage.get_text_bounded()
                textpage.close()
                page.close()
            except pdfium.PdfiumError as err:
                raise ParseError(f"corrupt PDF (page {number + 1}: {str(err).split(':')[-1].strip(' .)')})") from None
            chars += len(text)
            if chars > MAX_CHARS:
                raise ParseError(f"too much text for a determination letter (over {MAX_CHARS:,} characters)")
            pages.append(text)
    finally:
        pdf.close()
    return "\n".join(pages)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 by BOM, else Windows-1252: what letters come in."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError("binary file, not text or PDF")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")  # an odd last byte or a lone surrogate
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
