"""Batch parsing: documents -> records or one-line failures, in input order."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import ParseError
from kg.letter import parse_text
from kg.models import Letter
from kg.read import Document, discover, read_document, read_text


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result for one input: a letter, or the reason it could not be parsed."""

    name: str
    letter: Letter | None
    error: str | None
    source_sha256: str | None = None


def parse_document(doc: Document) -> Outcome:
    """Read and parse one document; never raises for a bad document (the reason is in ``error``)."""
    name = printable(Path(doc.name).name if doc.path is not None else doc.name)
    digest = None
    try:
        text, digest = read_document(doc)
        return Outcome(printable(doc.name), parse_text(text, name), None, digest)
    except ParseError as err:
        return Outcome(printable(doc.name), None, err.reason, digest)
    except RecursionError:
        return Outcome(doc.name, None, "document too deeply nested to parse", digest)
    except MemoryError:
        return Outcome(doc.name, None, "document too large to parse in memory", digest)
    except Exception as err:  # a bug must cost one document, never the batch: say what happened
        return Outcome(
            doc.name, None, f"internal error ({type(err).__name__}: {str(err)[:200]}); please report it", digest
        )


def printable(name: str) -> str:
    """A file name that can be printed and stored as UTF-8: bytes that are not UTF-8 (kept by
    Python as surrogates) are shown as ``\\xNN``."""
    return os.fsencode(name).decode("utf-8", "backslashreplace") if _SURROGATE.search(name) else name


_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_paths(paths: Iterable[str | Path]) -> Iterator[Outcome]:
    """Parse files, folders and stdin (``-``), one :class:`Outcome` per document, in input order."""
    for doc in discover(paths):
        yield parse_document(doc)


def parse_file(path: str | Path) -> Letter:
    """Parse one file; raises :class:`ParseError` naming the file and the reason."""
    doc = Document(str(path), Path(path))
    try:
        return parse_text(read_text(doc), Path(path).name)
    except ParseError as err:
        err.file = str(path)
        raise
