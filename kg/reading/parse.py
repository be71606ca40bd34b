"""Batch parsing: documents -> records or one-line failures, in input order."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from kg.base.output import json_text
from kg.base.pool import WORKER_DIED, TooSlow, chunked, default_jobs, die_with_parent, ordered_map, time_limit
from kg.reading.errors import ParseError
from kg.reading.letter import parse_text
from kg.reading.models import Letter
from kg.reading.read import Document, discover, read_document, read_text


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


SECONDS_PER_DOCUMENT = 60  # real letters take milliseconds; a document past this is hostile or broken


def parse_in_time(doc: Document) -> Outcome:
    """:func:`parse_document` given at most :data:`SECONDS_PER_DOCUMENT` (where signals can be set)."""
    try:
        with time_limit(SECONDS_PER_DOCUMENT):
            return parse_document(doc)
    except TooSlow:
        return Outcome(
            printable(doc.name), None, f"took longer than {SECONDS_PER_DOCUMENT} s to read; skipped", doc.sha256
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


PARSE_CHUNK = 50  # documents per worker task of imrkg parse


IN_PROCESS = False  # True: documents are parsed in this process (for tests only: no memory cap)


@dataclass(frozen=True, slots=True)
class RecordLine:
    """One document's record, already JSON (workers send text, not objects: cheaper to pickle)."""

    name: str
    json: str
    error: str | None


def record_lines(
    paths: Iterable[str | Path], jobs: int | None = None, *, indent: int | None = None
) -> Iterator[RecordLine]:
    """Every document's record (or error record) as JSON text, in input order, parsed in ``jobs``
    worker processes (one per core by default) a chunk at a time: memory holds the chunks in
    flight, not the corpus."""
    # always in worker processes, even one: only a worker has the memory cap, and a document that
    # kills a worker costs that document, never the run (in-process, a PDF that inflated to 300 MB
    # of text took 22 GB and every record of the run)
    jobs = default_jobs(jobs)
    chunks = chunked(discover(paths), PARSE_CHUNK)
    if IN_PROCESS:  # tests that watch the work from this process; no memory cap
        for chunk in chunks:
            yield from _record_chunk(chunk, indent)
        return
    task = partial(_record_chunk, indent=indent)
    for _, line in ordered_map(task, chunks, jobs, died=partial(_died, indent=indent), initializer=die_with_parent):
        yield line


def _record_chunk(docs: list[Document], indent: int | None = None) -> list[RecordLine]:
    from kg.reading.records import error_record, to_record

    out = []
    for doc in docs:
        outcome = parse_in_time(doc)
        if outcome.letter is not None:
            record, error = to_record(outcome.letter), None
        else:
            error = outcome.error or "unknown error"
            record = error_record(Path(outcome.name).name, error)
        out.append(RecordLine(outcome.name, json_text(record, indent=indent), error))
    return out


def _died(doc: Document, indent: int | None = None) -> RecordLine:
    from kg.reading.records import error_record

    name = printable(doc.name)
    return RecordLine(name, json_text(error_record(Path(name).name, WORKER_DIED), indent=indent), WORKER_DIED)


def parse_file(path: str | Path) -> Letter:
    """Parse one file; raises :class:`ParseError` naming the file and the reason."""
    doc = Document(str(path), Path(path))
    try:
        return parse_text(read_text(doc), Path(path).name)
    except ParseError as err:
        err.file = str(path)
        raise
