"""The ``imrkg`` command: a thin layer over the library.

Exit status: 0 everything succeeded, 1 some inputs failed (each named on stderr), 2 usage error.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kg.output import atomic_writer
from kg.parse import parse_paths
from kg.records import error_record, to_record

app = typer.Typer(
    name="imrkg",
    help="Turn California workers' comp IMR determination letters into a knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


class RecordFormat(StrEnum):
    jsonl = "jsonl"
    json = "json"


@app.callback()
def _root() -> None:
    """Turn California workers' comp IMR determination letters into a knowledge graph."""


def _fail_line(name: str, reason: str) -> None:
    typer.echo(f"imrkg: {name}: {reason}", err=True)


@app.command()
def parse(
    paths: Annotated[list[str], typer.Argument(help="Letters (.pdf, .txt), directories, or - for stdin.")],
    fmt: Annotated[
        RecordFormat, typer.Option("--format", "-f", help="jsonl: a record a line; json: one array.")
    ] = RecordFormat.jsonl,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (atomically) instead of stdout.")
    ] = None,
) -> None:
    """Parse letters into records (one per letter; failures as {file, error})."""
    records = []
    failed = 0
    for outcome in parse_paths(paths):
        if outcome.letter is not None:
            records.append(to_record(outcome.letter))
        else:
            failed += 1
            _fail_line(outcome.name, outcome.error or "unknown error")
            records.append(error_record(Path(outcome.name).name, outcome.error or "unknown error"))
    if not records:
        _fail_line("-", "no .pdf or .txt inputs found")
        raise typer.Exit(EXIT_USAGE)
    if fmt is RecordFormat.json:
        text = json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    else:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if output is None:
        sys.stdout.write(text)
    else:
        with atomic_writer(output) as handle:
            handle.write(text)
    raise typer.Exit(EXIT_SOME_FAILED if failed else EXIT_OK)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
