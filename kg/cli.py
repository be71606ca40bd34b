"""The ``imrkg`` command: a thin layer over the library.

Exit status: 0 everything succeeded, 1 some inputs failed (each named on stderr), 2 usage error.
"""

import signal


def _interrupted_while_starting(signum: int, frame: object) -> None:
    """Ctrl-C before :func:`main` runs (during the imports below): nothing has been written, so
    one line and out at once (0.7.0 printed the import's traceback)."""
    import os

    os.write(2, b"imrkg: interrupted (Ctrl-C) while starting: nothing was done\n")
    os._exit(130)


# first, before the heavy imports below
signal.signal(signal.SIGINT, _interrupted_while_starting)

import contextlib  # noqa: E402
import errno  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402
from enum import StrEnum  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Annotated  # noqa: E402

import typer  # noqa: E402

from kg.base.output import atomic_writer, json_text, shown  # noqa: E402
from kg.base.stop import Interrupted, stop_on_signals  # noqa: E402
from kg.base.version import __version__  # noqa: E402
from kg.building.builddir import COMPRESSIONS, DEFAULT_OUTPUT  # noqa: E402
from kg.outputs.names import FORMATS, VIEWS  # noqa: E402
from kg.stores import DEFAULT_STORE  # noqa: E402

app = typer.Typer(
    name="imrkg",
    help="Turn California workers' comp IMR determination letters into a knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help as click writes it: rendering it with rich cost 70 ms a --help
    context_settings={"max_content_width": 1000},  # paragraphs as wide as the terminal (COLUMNS), as rich drew them
)

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


def _plain_help_types() -> None:
    """Help shows a value's kind as click has always written it (TEXT, PATH, NUMBER,
    [table|csv|json]), never typer's Python type names (``<str>``, ``<path>``, ``<float>``)."""
    from typer import core

    names = {"str": "TEXT", "float": "NUMBER", "int": "INTEGER", "path": "PATH", "file": "PATH", "directory": "PATH"}
    typer_metavar = core.TyperOption.make_metavar

    def option_metavar(self, ctx, *args, **kwargs):
        if self.metavar is not None:
            return self.metavar
        label = str(typer_metavar(self, ctx, *args, **kwargs))
        if not (label.startswith("<") and label.endswith(">")):
            return label
        label = label[1:-1].removeprefix("list[").removesuffix("]")
        return f"[{label}]" if "|" in label else names.get(label.lower(), label.upper())

    core.TyperOption.make_metavar = option_metavar  # type: ignore[method-assign]


_plain_help_types()


Compression = StrEnum("Compression", {c: c for c in COMPRESSIONS})  # type: ignore[misc] # kg.building.builddir owns what each means


class RecordFormat(StrEnum):
    """How ``imrkg parse`` writes records."""

    jsonl = "jsonl"
    json = "json"


def _show_version(value: bool) -> None:
    if value:
        _echo(f"imrkg {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", help="Show the version and exit.", callback=_show_version, is_eager=True)
    ] = False,
) -> None:
    """Turn California workers' comp IMR determination letters into a knowledge graph."""


def _echo(message: str, err: bool = False) -> None:
    """Print a line (or lines) with the characters a terminal would act on escaped
    (:func:`kg.base.output.shown`): names, values and messages can come from letters, servers
    and arguments."""
    typer.echo(shown(message), err=err)


def _fail_line(name: str, reason: str) -> None:
    typer.echo(f"imrkg: {shown(name, one_line=True)}: {shown(reason, one_line=True)}", err=True)


def _check_builds(sources: list[Path]) -> None:
    """Each source of `imrkg load` is a build folder or a graph file; a folder of letters (or any
    other) is a usage error that says to build it first (0.7.0 failed on it after making the store)."""
    from kg.building.builddir import BuildDir

    for source in sources:
        if not source.exists():
            _fail_line(str(source), "no such file or directory")
            raise typer.Exit(EXIT_USAGE)
        if source.is_dir() and not BuildDir(source).is_build():
            _fail_line(
                str(source),
                f"not a build folder (no graph.trig): build it first, `imrkg build {source} -o OUTDIR`, "
                "then `imrkg load OUTDIR`",
            )
            raise typer.Exit(EXIT_USAGE)


def _unresolved(summary: dict) -> str:
    """The build line's words for citations of a guideline no vocabulary knows (only when there are some)."""
    n = len(summary["unresolved_citations"])
    return f"{n} citations of a guideline the vocabulary lacks (warnings in validation-report.txt); " if n else ""


@app.command()
def parse(
    paths: Annotated[list[str], typer.Argument(help="Letters (.pdf, .txt), directories, or - for stdin.")],
    fmt: Annotated[
        RecordFormat, typer.Option("--format", "-f", help="jsonl: a record a line; json: one array.")
    ] = RecordFormat.jsonl,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (atomically) instead of stdout.")
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes (0: one per core).", min=0)] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Name each file as it is parsed.")] = False,
) -> None:
    """Parse letters into records (one per letter; failures as {file, error}), written as they
    are parsed: memory stays flat whatever the number of letters."""
    from kg.reading.parse import record_lines

    if output is not None and output.is_dir():
        _fail_line(str(output), "is a directory; give a file name")
        raise typer.Exit(EXIT_USAGE)
    target = atomic_writer(output) if output is not None else contextlib.nullcontext(sys.stdout)
    count = failed = 0
    with target as out, _progress_bar("letters", quiet) as bar:
        task = bar.add_task("", total=None)
        if fmt is RecordFormat.json:
            out.write("[")
        for line in record_lines(paths, jobs or None, indent=2 if fmt is RecordFormat.json else None):
            bar.update(task, advance=1, description=Path(line.name).name)
            if verbose:
                bar.console.print(f"parsed {line.name}", highlight=False)
            if line.error is not None:
                failed += 1
                _fail_line(line.name, line.error)
            if fmt is RecordFormat.json:
                out.write(("\n" if count == 0 else ",\n") + line.json)
            else:
                out.write(line.json + "\n")
            count += 1
        if fmt is RecordFormat.json:
            out.write("\n]\n")
        if count == 0:
            _fail_line("-", "no .pdf or .txt inputs found")
            raise typer.Exit(EXIT_USAGE)  # inside the writer: a partial output file is not kept
    raise typer.Exit(EXIT_SOME_FAILED if failed else EXIT_OK)


QuestionsOption = Annotated[
    list[Path] | None,
    typer.Option("--queries", help="A folder of your own questions (.rq files); may be repeated.", metavar="DIR"),
]


@app.command()
def build(
    inputs: Annotated[list[str], typer.Argument(help="Letters (.pdf, .txt) or directories.")],
    outdir: Annotated[Path, typer.Option("--output", "-o", help="Output directory.")] = DEFAULT_OUTPUT,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Name each file as it is parsed.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes (0: one per core).", min=0)] = 0,
    shards: Annotated[
        int, typer.Option("--shards", help="Split the letter graphs into N files for parallel bulk loading.", min=1)
    ] = 1,
    turtle: Annotated[bool, typer.Option("--turtle", help="Also write graph.ttl (Turtle of all graphs).")] = False,
    queries: QuestionsOption = None,
    compress: Annotated[
        Compression,
        typer.Option(
            "--compress",
            help="gzip the graph files (graph.trig.gz, statistics.trig.gz); auto: from 10,000 inputs on.",
        ),
    ] = Compression.auto,  # type: ignore[attr-defined]
) -> None:
    """Parse, map to RDF, validate with SHACL; write the graph (TriG), the statistics every
    question is answered from, the analyst tables (tables/, for `imrkg sql`), the word index
    (for `imrkg find`), the validation report (validation-report.txt), a summary (summary.json)
    and a manifest.

    Re-running on the same output directory parses only new and changed files."""
    from kg.building.build import BuildLocked
    from kg.building.build import build as run_build
    from kg.building.builddir import BuildDir

    missing = [i for i in inputs if not Path(i).exists()]
    for name in missing:
        _fail_line(name, "no such file or directory")
    if missing:
        raise typer.Exit(EXIT_USAGE)
    from kg.reading.read import discover

    if next(iter(discover(inputs)), None) is None:  # before the build folder is touched: nothing is removed
        _fail_line(" ".join(inputs), "no .pdf or .txt letters in these inputs: nothing to build")
        raise typer.Exit(EXIT_USAGE)
    own = tuple(str(Path(f).resolve()) for f in queries or ())
    for q in _questions(queries).values():  # the user's own questions: the shipped ones are known
        if q.not_summable and own and str(Path(q.path).resolve()).startswith(own):
            _fail_line(q.name, f"not in the statistics (asked of the letter graphs instead): {q.not_summable}")
    from kg.graph.questions import QuestionError
    from kg.graph.statistics import summable, use_question_folders

    try:
        use_question_folders(tuple(str(f) for f in queries or ()))
        summable()
    except QuestionError as err:
        _fail_line("--queries", str(err))
        raise typer.Exit(EXIT_USAGE) from None

    with _progress_bar("letters", quiet) as bar:
        task = bar.add_task("", total=None)

        def done(name: str) -> None:
            bar.update(task, advance=1, description=Path(name).name)
            if verbose:
                bar.console.print(f"parsed {name}", highlight=False)

        try:
            summary = run_build(
                inputs,
                outdir,
                progress=done,
                jobs=jobs or None,
                shards=shards,
                turtle=turtle,
                question_folders=tuple(queries or ()),
                compress=compress.value,
                planned=lambda n: bar.update(task, total=n),
            )
        except BuildLocked as err:
            _fail_line(str(outdir), str(err))
            raise typer.Exit(EXIT_USAGE) from None
    for note in summary.notes:
        _echo(f"imrkg: {note}", err=True)
    for failure in summary.failures + summary.conflicts:
        _fail_line(failure["file"], failure["error"])
    for v in summary.violations[:20]:
        _echo(f"imrkg: shacl: {v.line()}", err=True)
    if len(summary.violations) > 20:
        _echo(f"imrkg: shacl: ... {len(summary.violations) - 20} more in {BuildDir(outdir).report}", err=True)
    s = summary.as_json()
    _echo(
        f"{s['letters']} letters, {s['items']} items, {s['triples']} triples; {len(s['failures'])} not parsed; "
        f"{s['letters_not_conforming']} not conforming; {len(s['unmapped_treatments'])} items without a treatment "
        f"concept; {_unresolved(s)}{s['parsed_this_run']} parsed, {s['rebuilt_shards']}/{s['shards']} shards rebuilt; "
        f"{s['seconds']:.1f}s -> {outdir}",
        err=True,
    )
    raise typer.Exit(EXIT_OK if summary.ok else EXIT_SOME_FAILED)


@app.command()
def validate(
    path: Annotated[
        Path, typer.Argument(help="A graph file (.trig, .nq, .ttl, .nt, any of them .gz) or a build output directory.")
    ],
    reference: Annotated[
        bool, typer.Option("--reference", help="Validate with pySHACL, the reference engine (slower).")
    ] = False,
) -> None:
    """Validate a graph against the SHACL shapes; print letter, item, path and message for each problem."""
    from kg.building.validate import validate_path

    try:
        violations, size = validate_path(path, reference=reference)
    except FileNotFoundError as err:
        _fail_line(str(path), str(err))
        raise typer.Exit(EXIT_USAGE) from None
    except ValueError as err:
        _fail_line(str(path), str(err))
        raise typer.Exit(EXIT_SOME_FAILED) from None
    failing = [v for v in violations if not v.is_warning]
    for v in violations:
        _echo(("warning: " if v.is_warning else "") + v.line())
    _echo(f"{size} triples; {len(failing)} violations, {len(violations) - len(failing)} warnings", err=True)
    raise typer.Exit(EXIT_SOME_FAILED if failing else EXIT_OK)


class TableFormat(StrEnum):
    """How ``imrkg query`` and ``imrkg sparql`` print answers."""

    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


StoreOption = Annotated[Path, typer.Option("--store", "-s", help="Embedded store directory.")]
EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        "-e",
        help="SPARQL query URL of a server (e.g. http://127.0.0.1:7878/query); credentials from "
        "IMRKG_ENDPOINT_USER / IMRKG_ENDPOINT_PASSWORD or ~/.netrc.",
    ),
]
GraphStoreOption = Annotated[
    str | None,
    typer.Option("--graph-store", help="Graph Store Protocol URL, when it cannot be derived from --endpoint."),
]
TimeoutOption = Annotated[
    float,
    typer.Option("--timeout", help="Seconds to wait for a server's answer, or for a query on the embedded store."),
]
RetriesOption = Annotated[int, typer.Option("--retries", help="Retries of a failed server request, with backoff.")]


def _target(
    store: Path,
    endpoint: str | None,
    graph_store: str | None = None,
    timeout: float = 30,
    retries: int = 3,
    *,
    statistics: bool = False,
):
    """A server, or the embedded store opened read-only (an error that says what to do when it
    is missing or empty, never a new empty store)."""
    if endpoint:
        from kg.stores.endpoint import Endpoint

        try:
            return Endpoint(endpoint, graph_store, timeout=timeout, retries=retries)
        except ValueError as err:  # kg.stores.endpoint.BadURL: the option, not the URL (it may hold a password)
            option, _, reason = str(err).partition(": ")
            _fail_line(option if reason else "--endpoint", reason or str(err))
            raise typer.Exit(EXIT_USAGE) from None
    from kg.stores.store import StoreError, open_for_reading

    try:
        return open_for_reading(store, statistics=statistics)
    except StoreError as err:
        _fail_line(str(store), str(err))
        raise typer.Exit(EXIT_USAGE) from None


@app.command()
def load(
    sources: Annotated[
        list[Path], typer.Argument(help="Build output directories or graph files (.trig, .nq, .ttl; .gz too).")
    ],
    store: StoreOption = DEFAULT_STORE,
    endpoint: EndpointOption = None,
    graph_store: GraphStoreOption = None,
    timeout: TimeoutOption = 30.0,
    retries: RetriesOption = 3,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="With --endpoint: write the graphs not loaded here (one IRI a line)."),
    ] = None,
    optimize: Annotated[
        bool,
        typer.Option(
            "--optimize",
            help="Compact the embedded store after loading: ad hoc SPARQL about 2x faster, 1.5x the disk.",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Name each graph file and its size first.")] = False,
    virtuoso_sql: Annotated[
        str | None,
        typer.Option(
            "--virtuoso-sql",
            metavar="HOST:PORT",
            help="With --endpoint on Virtuoso: load a build through its bulk loader (isql-vt) at this SQL "
            "address; the server must be able to read the build directory.",
        ),
    ] = None,
    skip_disk_check: Annotated[
        bool,
        typer.Option(
            "--skip-disk-check",
            help="Load into an empty embedded store even when the free disk looks too small for the bulk "
            "loader (about 500 bytes a quad at its peak).",
        ),
    ] = False,
) -> None:
    """Load built graphs into the embedded store or a server; each named graph replaces the stored one."""
    _check_builds(sources)  # before a store is opened or made: a wrong folder leaves nothing behind
    if virtuoso_sql:
        if not endpoint or len(sources) != 1:  # before the store is looked for: it is not used
            _fail_line("--virtuoso-sql", "needs --endpoint (Virtuoso's SPARQL URL) and one build directory")
            raise typer.Exit(EXIT_USAGE)
        _load_virtuoso_bulk(sources, _target(store, endpoint, graph_store, timeout, retries), virtuoso_sql)
        return
    if endpoint:
        _load_endpoint(sources, _target(store, endpoint, graph_store, timeout, retries), report)
        return
    from kg.stores.store import StoreError, check_free_disk, copy_tables, copy_word_indexes, open_store
    from kg.stores.store import load as load_store

    if verbose:
        from kg.building.builddir import graph_files

        for source in sources:
            for path in graph_files(source):
                size = f"{path.stat().st_size / 1e6:,.1f} MB" if path.is_file() else "missing"
                _echo(f"{path} ({size})", err=True)
    try:
        target = open_store(store)  # locked by another process: an OSError, one line below
        if not skip_disk_check:
            check_free_disk(store, target, list(sources))
        with _progress_bar("bytes", quiet) as bar:
            task = bar.add_task("loading", total=None)
            counts = load_store(
                target,
                list(sources),
                optimize=optimize,
                planned=lambda n: bar.update(task, total=n),
                advanced=lambda n: bar.advance(task, n),
            )
        copy_word_indexes(store, list(sources))
        copy_tables(store, list(sources))
    except StoreError as err:
        _fail_line(str(store), str(err))
        raise typer.Exit(EXIT_USAGE) from None
    except (OSError, ValueError, SyntaxError) as err:
        named = getattr(err, "filename", None)
        _fail_line(str(named or sources[0]), (getattr(err, "strerror", None) or str(err)).splitlines()[0])
        raise typer.Exit(EXIT_SOME_FAILED) from None
    from kg.stores.serve import served_by

    serving = served_by(store)
    if serving and counts["graphs"] + counts["removed"]:
        _fail_line(
            str(store),
            f"imrkg serve (process {serving['pid']}, {serving['url']}) serves this store as it was before this "
            "load: restart it to answer from the new graphs",
        )
    _echo(
        f"loaded {counts['graphs']} graphs, removed {counts['removed']}, {counts['unchanged']} unchanged; "
        f"store {store} holds {counts['quads']} quads",
        err=True,
    )


def _load_virtuoso_bulk(sources: list[Path], target, address: str) -> None:
    """One build into Virtuoso by ld_dir and rdf_loader_run (kg.stores.bulk); an error says what to do."""
    from kg.stores.bulk import BulkLoadError, bulk_load, credentials_from_env

    try:
        result = bulk_load(target, sources[0], address, credentials_from_env())
    except (BulkLoadError, FileNotFoundError) as err:
        _fail_line(str(sources[0]), str(err))
        raise typer.Exit(EXIT_SOME_FAILED) from None
    _echo(
        f"bulk-loaded {result.files} files ({result.graphs} letter graphs) into Virtuoso at {address}; "
        f"cleared {result.cleared} graphs first",
        err=True,
    )


def _load_endpoint(sources: list[Path], endpoint, report_path: Path | None) -> None:
    """PUT every named graph (Graph Store Protocol); name what was not loaded, never stop half-silent."""
    from kg.stores.endpoint import load_sources

    result = load_sources(endpoint, sources)
    failed = result.failed
    refused = [(n, r) for n, r in failed if not r.startswith("not attempted")]
    for name, reason in refused[:10]:
        _fail_line(name, reason)
    if len(refused) > 10:
        _echo(f"imrkg: ... and {len(refused) - 10} more refused", err=True)
    if len(refused) < len(failed):
        _echo(f"imrkg: stopped after that: {len(failed) - len(refused)} more graphs not attempted", err=True)
    if report_path:
        with atomic_writer(report_path) as fh:
            fh.writelines(f"{name}\t{reason}\n" for name, reason in failed)
    _echo(
        f"loaded {len(result.loaded)} graphs into {endpoint.graph_store_url}; {len(failed)} not loaded"
        + (f"; removed {len(result.removed)} graphs of letters gone from the build" if result.removed else "")
        + (f" (listed in {report_path})" if report_path and failed else ""),
        err=True,
    )
    if failed:
        raise typer.Exit(EXIT_SOME_FAILED)


def _emit(columns: list[str], rows: list[list], fmt: TableFormat, output: Path | None = None) -> None:
    """Print an answer (or write it atomically to ``output``): JSON keeps numbers as numbers and
    writes dates as ISO text; CSV and tables write booleans as SPARQL does."""
    import csv as csv_mod
    import io

    out = io.StringIO()
    if fmt is TableFormat.json:
        records = [dict(zip(columns, r, strict=True)) for r in rows]
        out.write(json_text(records, indent=2, default=str) + "\n")
    elif fmt is TableFormat.jsonl:
        out.writelines(json_text(dict(zip(columns, r, strict=True)), default=str) + "\n" for r in rows)
    elif fmt is TableFormat.csv:
        writer = csv_mod.writer(out)
        writer.writerow(columns)
        writer.writerows([[shown(_cell(v)) for v in r] for r in rows])
    else:
        import shutil

        from kg.graph.iris import compact
        from kg.outputs.boxes import render

        width = shutil.get_terminal_size((80, 24)).columns if output is None else 200  # COLUMNS, else the terminal's
        out.write(render([shown(c) for c in columns], [[shown(compact(_cell(v))) for v in r] for r in rows], width))
    if output is None:
        sys.stdout.write(out.getvalue())
    else:
        with atomic_writer(output) as fh:
            fh.write(out.getvalue())


def _questions(folders: list[Path] | None):
    from kg.graph.questions import QuestionError, load_questions

    try:
        return load_questions(tuple(folders or ()))
    except QuestionError as err:
        _fail_line("--queries", str(err))
        raise typer.Exit(EXIT_USAGE) from None


def _question(name: str, folders: list[Path] | None):
    """The question ``name``, or a usage error naming the closest ones."""
    from kg.graph.questions import QuestionError, find_question

    try:
        q = find_question(name, tuple(folders or ()))
    except QuestionError as err:
        _fail_line(name, str(err))
        raise typer.Exit(EXIT_USAGE) from None
    if q is None:
        import difflib

        close = difflib.get_close_matches(name, list(_questions(folders)), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see `imrkg queries`"
        _fail_line(name, "no such question" + hint)
        raise typer.Exit(EXIT_USAGE)
    return q


@app.command("queries")
def list_queries(queries: QuestionsOption = None) -> None:
    """List the canned analyst questions and the parameters each takes."""
    for q in _questions(queries).values():
        _echo(f"{q.name}  ({', '.join(q.takes()) or 'no parameters'})")
        _echo(f"    {q.question or q.title}")


@app.command()
def concepts(
    text: Annotated[
        str | None, typer.Argument(help="Words to look for in labels (all concepts when left out).")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", "-k", help="treatment, category, drug-class, specialty, work, reason, outcome or state."
        ),
    ] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
) -> None:
    """List or search the names parameters accept: treatments, categories, drug classes,
    specialties, guideline works, reasons, outcomes, states."""
    import difflib

    from kg.graph.concepts import KINDS, closest, search
    from kg.graph.concepts import concepts as all_of

    if kind is not None and kind not in KINDS:
        near = difflib.get_close_matches(kind, KINDS, n=1)
        _fail_line(
            "--kind", f"no kind {kind!r}{f'; did you mean {near[0]}?' if near else ''} (one of: {', '.join(KINDS)})"
        )
        raise typer.Exit(EXIT_USAGE)
    found = search(text, kind) if text else all_of(kind)
    if not found:
        near = closest(text or "", kind) if text else []
        hint = f"; closest: {', '.join(near)}" if near else "; try fewer words"
        _fail_line(text or "", f"no {kind or 'concept'} matches{hint}")
        raise typer.Exit(EXIT_USAGE)  # a name that names nothing is a usage error, as with --param
    _emit(["kind", "name", "label", "iri"], [[c.kind, c.slug, c.label, c.iri] for c in found], fmt)


def _question_help(q) -> str:
    from kg.graph.concepts import concepts as all_of

    lines = [f"{q.name}: {q.title}", f"  {q.question}", "", "Parameters (--param NAME=VALUE):"]
    for p in q.takes().values():
        default = f" (default {p.default})" if p.default else ""
        lines.append(f"  {p.name:<11} {p.help or 'this ' + p.kind}{default}")
        if p.kind not in ("date", "text"):
            names = [c.slug for c in all_of(p.kind)]
            shown = ", ".join(names[:8]) + (f", ... ({len(names)} in all)" if len(names) > 8 else "")
            lines.append(f"  {'':<11} a {p.kind} by name, label or IRI: {shown}; `imrkg concepts --kind {p.kind}`")
    if not q.takes():
        lines.append("  none")
    return "\n".join(lines)


@app.command(context_settings={"help_option_names": []})
def query(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="A question's name (see `imrkg queries`).")] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="NAME=VALUE; a concept by name, label or IRI; dates as YYYY-MM-DD.",
            metavar="NAME=VALUE",
        ),
    ] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the answer to this file.")] = None,
    store: StoreOption = DEFAULT_STORE,
    endpoint: EndpointOption = None,
    timeout: TimeoutOption = 30.0,
    raw: Annotated[
        bool, typer.Option("--raw", help="Ask the letter graphs instead of the statistics: same answer, slower.")
    ] = False,
    queries: QuestionsOption = None,
    show_sparql: Annotated[bool, typer.Option("--sparql", help="Print the SPARQL that answered.")] = False,
    help_: Annotated[bool, typer.Option("--help", "-h", help="Show this help, or a question's parameters.")] = False,
) -> None:
    """Answer a canned analyst question from the store or a server; `imrkg query NAME --help`
    lists its parameters and the values they take."""
    from kg.graph.concepts import UnknownConcept
    from kg.graph.questions import QuestionError
    from kg.stores import EndpointError
    from kg.stores.queries import QueryTimeout, ask

    if name is None:
        typer.echo(ctx.get_help())  # help: click-rendered, nothing from data
        raise typer.Exit(EXIT_OK if help_ else EXIT_USAGE)
    q = _question(name, queries)
    if help_:
        _echo(_question_help(q))
        raise typer.Exit(EXIT_OK)
    given = _params(param)
    target = _target(store, endpoint, timeout=timeout, statistics=not raw)
    try:
        answer = ask(target, q, given, raw=raw, timeout=timeout)
    except (QuestionError, UnknownConcept) as err:
        _fail_line(name, str(err))
        raise typer.Exit(EXIT_USAGE) from None
    except (SyntaxError, ValueError, OSError, EndpointError, QueryTimeout) as err:
        _fail_line(name, str(err).splitlines()[0])
        raise typer.Exit(EXIT_SOME_FAILED) from None
    if answer.why and not raw:
        _fail_line(name, f"answered from the letter graphs: {answer.why}")
    if show_sparql:
        _echo(answer.sparql, err=True)
    if "from" in given or "to" in given:
        _say_date_coverage(target, name, given, not answer.rows, timeout)
    _emit(answer.columns, answer.rows, fmt, output)


def _say_date_coverage(target, name: str, given: dict[str, str], empty: bool, timeout: float | None) -> None:
    """On stderr, for a date filter: the letters it left out for having no decision date, and for
    an empty answer, the span of decision dates the store holds."""
    from kg.stores.queries import date_coverage

    try:
        cover = date_coverage(target, timeout)
    except Exception:  # a note, never the answer's failure
        return
    if cover.undated:
        _fail_line(name, f"{cover.undated} letters have no decision date (2014 layout): from/to leave them out")
    if empty:
        span = (
            f"the letters here were decided from {cover.first} to {cover.last}"
            if cover.first
            else "no letter here states a decision date"
        )
        window = f"{given.get('from', 'the start')} to {given.get('to', 'the end')}"
        _fail_line(name, f"nothing was decided from {window}: {span}")


@app.command()
def report(
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")] = Path("report.html"),
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", "-p", help="A filter every chart takes: from=, to=, category=, ...", metavar="NAME=VALUE"
        ),
    ] = None,
    store: StoreOption = DEFAULT_STORE,
    endpoint: EndpointOption = None,
    timeout: TimeoutOption = 30.0,
    queries: QuestionsOption = None,
) -> None:
    """Write one self-contained HTML page answering the canned questions as charts and tables."""
    from kg.graph.concepts import UnknownConcept
    from kg.graph.questions import QuestionError
    from kg.outputs.report import build_report, report_html
    from kg.stores import EndpointError

    given = _params(param)
    target = _target(store, endpoint, timeout=timeout, statistics=True)
    try:
        sections = build_report(target, given, folders=tuple(queries or ()))
    except (QuestionError, UnknownConcept) as err:
        _fail_line("report", str(err))
        raise typer.Exit(EXIT_USAGE) from None
    except (SyntaxError, ValueError, OSError, EndpointError) as err:
        _fail_line("report", str(err).splitlines()[0])
        raise typer.Exit(EXIT_SOME_FAILED) from None
    page = report_html(sections, source=_source_name(store, endpoint), params=given)
    with atomic_writer(output) as fh:
        fh.write(page)
    _echo(f"imrkg: report of {len(sections)} questions -> {output}", err=True)


def _source_name(store: Path, endpoint: str | None) -> str:
    if endpoint:
        from kg.stores.endpoint import redact

        return redact(endpoint)
    return f"the store {store}"


def _params(param: list[str] | None) -> dict[str, str]:
    """--param NAME=VALUE options as a dict (a malformed one is a usage error)."""
    given: dict[str, str] = {}
    for p in param or []:
        key, sep, value = p.partition("=")
        key = key.strip()
        if not sep or not key:
            _fail_line(p, "expected --param NAME=VALUE")
            raise typer.Exit(EXIT_USAGE)
        if not value.strip():
            _fail_line(p, f"--param {key}= has no value: give one, or leave the parameter out")
            raise typer.Exit(EXIT_USAGE)
        if key in given:
            _fail_line(p, f"--param {key} is given twice ({given[key]!r} and {value!r}): a parameter takes one value")
            raise typer.Exit(EXIT_USAGE)
        given[key] = value
    return given


@app.command()
def sparql(
    query_or_file: Annotated[str, typer.Argument(help="SPARQL text or a path to a .rq file.")],
    fmt: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    store: StoreOption = DEFAULT_STORE,
    endpoint: EndpointOption = None,
    timeout: TimeoutOption = 30.0,
) -> None:
    """Run an ad hoc SPARQL SELECT/ASK over the store or a server (all graphs as the default graph).

    The project's prefixes (imr:, id:, skos:, rdfs:, xsd:, ...) are declared for you; the store is
    read-only, so an update is refused."""

    path = Path(query_or_file)
    if query_or_file.endswith(".rq") or (len(query_or_file) < 256 and "{" not in query_or_file and path.suffix):
        if not path.is_file():
            _fail_line(query_or_file, "no such file (give SPARQL text or the path of a .rq file)")
            raise typer.Exit(EXIT_USAGE)
        text = path.read_text(encoding="utf-8")
    else:
        text = query_or_file
    from kg.stores.queries import ReadOnlyQuery, with_project_prefixes

    try:
        text = with_project_prefixes(text)
    except ReadOnlyQuery as err:
        _fail_line("sparql", str(err))
        raise typer.Exit(EXIT_USAGE) from None
    _answer(_target(store, endpoint, timeout=timeout), text, {}, fmt, timeout=timeout, ad_hoc=True)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL text (DuckDB's dialect) or a path to a .sql file.")],
    tables: Annotated[
        Path,
        typer.Option("--tables", "-t", help="A build directory, or a store `imrkg load` copied the tables into."),
    ] = DEFAULT_STORE,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the answer to this file.")] = None,
) -> None:
    """Run ad hoc SQL over the analyst tables: letters, items, sources, reasons (DuckDB).

    The tables are the ones `imrkg export parquet` writes, kept by every build and copied into
    the store by `imrkg load`. Example: imrkg sql "SELECT year(decision_date) AS year, category,
    avg((outcome = 'Upheld')::int) AS upheld FROM items JOIN letters USING (letter) GROUP BY ALL
    ORDER BY ALL". Needs DuckDB: pip install 'imr-kg[sql]'."""
    from kg.outputs.sql import SqlError, TablesMissing, run_sql

    text = query
    if query.endswith(".sql"):
        if not Path(query).is_file():
            _fail_line(query, "no such file (give SQL text or the path of a .sql file)")
            raise typer.Exit(EXIT_USAGE)
        text = Path(query).read_text(encoding="utf-8")
    try:
        columns, rows = run_sql(text, tables)
    except TablesMissing as err:
        _fail_line("sql", str(err))
        raise typer.Exit(EXIT_USAGE) from None
    except ImportError as err:
        _fail_line("sql", str(err))
        raise typer.Exit(EXIT_SOME_FAILED) from None
    except SqlError as err:
        _fail_line("sql", str(err))
        raise typer.Exit(EXIT_USAGE) from None
    if not rows:
        _fail_line("sql", "the query returned no rows")
    _emit(columns, [[_sql_cell(v, fmt) for v in r] for r in rows], fmt, output)


def _sql_cell(value, fmt: "TableFormat"):
    """Lists stay lists in JSON; in a table or CSV they are joined with "; "; dates as ISO text."""
    if isinstance(value, list | tuple) and fmt in (TableFormat.table, TableFormat.csv):
        return "; ".join("" if v is None else str(v) for v in value)
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()
    return value


def _cell(value) -> str:
    """A typed answer value as table or CSV text (booleans as SPARQL writes them)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _answer(
    target,
    text: str,
    subs: dict,
    fmt: TableFormat,
    output: Path | None = None,
    timeout: float | None = None,
    ad_hoc: bool = False,
) -> None:
    """Run a query and print its answer. ``ad_hoc``: a query a person wrote, whose empty answer
    is checked: terms the ontology does not define, or a store without letters, are errors."""
    from kg.stores import EndpointError
    from kg.stores.queries import NoLetters, QueryTimeout, check_letters_visible, run, undefined_terms

    try:
        columns, rows = run(target, text, subs, typed=True, timeout=timeout)
        if ad_hoc and not rows:
            unknown = undefined_terms(text)
            if unknown:
                _fail_line(
                    "sparql",
                    f"no rows, and the query names terms the ontology does not define: {', '.join(unknown)} "
                    "(ontology/imr.ttl lists the terms; `imrkg show LETTER` prints a letter's triples)",
                )
                raise typer.Exit(EXIT_USAGE)
            check_letters_visible(target, timeout)
    except NoLetters as err:
        _fail_line("sparql", f"no rows: {err}")
        raise typer.Exit(EXIT_USAGE) from None
    except (SyntaxError, ValueError, OSError, EndpointError, QueryTimeout) as err:
        _fail_line("sparql", str(err).splitlines()[0])
        raise typer.Exit(EXIT_SOME_FAILED) from None
    _emit(columns, rows, fmt, output)


@app.command()
def serve(
    store: StoreOption = DEFAULT_STORE,
    port: Annotated[int, typer.Option("--port", "-p", help="Port on 127.0.0.1.", min=1, max=65535)] = 7878,
) -> None:
    """Serve the store read-only over HTTP (Oxigraph server): a SPARQL query page and endpoint."""
    from kg.outputs.questions_page import QUESTIONS_PAGE, questions_page
    from kg.stores.serve import serve as run_server
    from kg.stores.store import StoreError, open_for_reading

    page = store / QUESTIONS_PAGE
    try:
        reader = open_for_reading(store)
        text = questions_page(reader, f"http://127.0.0.1:{port}")
        del reader  # the server opens the store itself
        with atomic_writer(page) as fh:
            fh.write(text)
    except StoreError as err:
        _fail_line(str(store), str(err))
        raise typer.Exit(EXIT_USAGE) from None
    except OSError as err:  # a read-only store folder: the server still runs, without the page
        _fail_line(str(page), f"not written ({err.strerror or err})")

    def ready(url: str) -> None:
        _echo(
            f"imrkg: serving {store} read-only at {url} (query page: {url[: -len('/query')]}/; canned questions: "
            f"{page.resolve().as_uri()}); Ctrl-C stops",
            err=True,
        )

    try:
        status = run_server(store, "127.0.0.1", port, ready)
    except StoreError as err:
        _fail_line(str(store), str(err))
        raise typer.Exit(EXIT_USAGE) from None
    raise typer.Exit(EXIT_OK if status in (0, -signal.SIGINT, 130) else EXIT_SOME_FAILED)


@app.command()
def find(
    words: Annotated[
        str | None,
        typer.Argument(help='Words a title or one rationale sentence must hold (stemmed); "a phrase"; prefix*.'),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="NAME=VALUE, the canned questions' filters: treatment, category, drug-class, specialty, "
            "outcome, from, to, reason, work, chapter, section.",
            metavar="NAME=VALUE",
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many items.", min=1)] = 50,
    order: Annotated[str, typer.Option("--order", help="date (newest first) or case.")] = "date",
    fmt: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the list to this file.")] = None,
    html: Annotated[
        bool, typer.Option("--html", help="Write an HTML list (-o FILE) and a page for each letter beside it.")
    ] = False,
    store: StoreOption = DEFAULT_STORE,
    endpoint: EndpointOption = None,
    index: Annotated[
        Path | None,
        typer.Option("--index", help="The word index: a store or build folder (default: the store's own)."),
    ] = None,
    timeout: TimeoutOption = 30.0,
) -> None:
    """List the decided items behind an answer: case, date, item, category, outcome, reasons, and
    the sentence that matched with its text-position IRI (for `imrkg show` or SPARQL)."""
    from kg.graph.concepts import UnknownConcept
    from kg.graph.questions import QuestionError
    from kg.outputs.find import COLUMNS, FindError
    from kg.outputs.find import find as find_items
    from kg.stores import EndpointError

    given = _params(param)
    if html and output is None:
        _fail_line("--html", "give the page to write with -o FILE")
        raise typer.Exit(EXIT_USAGE)
    place = index if index is not None else (None if endpoint else store)
    from kg.building.builddir import BuildDir

    if endpoint is None and BuildDir(store).is_build():
        target = None  # a build folder: the index is there, the letters' text is not
    else:
        target = _target(store, endpoint, timeout=timeout)
    try:
        found = find_items(words or "", given, target=target, index=place, limit=limit, order=order)
    except (FindError, QuestionError, UnknownConcept) as err:
        _fail_line("find", str(err))
        raise typer.Exit(EXIT_USAGE) from None
    except (SyntaxError, ValueError, OSError, EndpointError) as err:
        _fail_line("find", str(err).splitlines()[0])
        raise typer.Exit(EXIT_SOME_FAILED) from None
    for note in found.notes:
        _fail_line("find", note)
    if not found.hits:
        what = f"the words {words!r}" if words else "these filters"
        _fail_line(
            "find",
            f"no decided item matches {what}"
            + (f" with {', '.join(f'{k}={v}' for k, v in given.items())}" if given and words else ""),
        )
    elif found.total is not None and found.total > len(found.hits):
        _fail_line("find", f"{found.total} items match; the first {len(found.hits)} are listed (--limit, --order)")
    if html:
        from kg.outputs.show import results_page

        written = results_page(found, output, target, words or "", given)
        _echo(f"imrkg: {len(found.hits)} items -> {output} ({written} letter pages beside it)", err=True)
        return
    if fmt is TableFormat.json or fmt is TableFormat.jsonl:
        records = [h.as_dict() for h in found.hits]
        _emit(list(records[0]) if records else list(COLUMNS), [list(r.values()) for r in records], fmt, output)
        return
    if fmt is TableFormat.table:  # a listing a person reads: a table of ten columns wraps each word
        _find_listing(found.hits, output)
        return
    rows = [[*h.row()[:7], ", ".join(h.reasons), h.sentence, h.position] for h in found.hits]
    _emit(list(COLUMNS), rows, fmt, output)


def _find_listing(hits, output: Path | None) -> None:
    """``imrkg find`` on a terminal: each item's header line, its title, reasons and sentence."""
    import io

    from rich.console import Console
    from rich.markup import escape

    from kg.graph.iris import compact

    buffer = io.StringIO()
    console = Console(highlight=False, soft_wrap=True, file=buffer if output else None)
    for h in hits:
        kind = " / ".join(x for x in (h.category, h.drug_class) if x)
        console.print(
            f"[bold]{escape(shown(h.case))}[/bold] item {h.item}  {escape(shown(h.date or 'undated'))}  "
            f"[{'red' if h.outcome == 'Upheld' else 'green'}]{escape(shown(h.outcome))}[/]  {escape(shown(kind))}"
        )
        console.print(f"  {escape(shown(h.title))}")
        if h.reasons:
            console.print(f"  [cyan]reasons[/cyan]: {escape(shown(', '.join(h.reasons)))}")
        if h.sentence:
            console.print(f'  [yellow]"{escape(shown(h.sentence))}"[/yellow]')
        if h.position:
            console.print(f"  {escape(compact(h.position))}")
    if output is not None:
        with atomic_writer(output) as fh:
            fh.write(buffer.getvalue())


@app.command()
def show(
    case: Annotated[str, typer.Argument(help="A case number, e.g. CM16-0231745.")],
    item: Annotated[int | None, typer.Option("--item", "-i", help="Only this item.", min=1)] = None,
    store: StoreOption = DEFAULT_STORE,
    endpoint: EndpointOption = None,
    timeout: TimeoutOption = 30.0,
    html: Annotated[
        bool, typer.Option("--html", help="Write one self-contained HTML page: the facts linked to their marked words.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="With --html: the page to write (CASE.html).")
    ] = None,
) -> None:
    """Show a letter's facts with the exact words they were taken from (highlighted on a terminal,
    or marked in one HTML page with --html)."""
    from rich.console import Console
    from rich.markup import escape

    from kg.outputs.show import NotFound, letter_facts
    from kg.stores import EndpointError

    try:
        found = letter_facts(_target(store, endpoint, timeout=timeout), case, item)
    except NotFound as err:
        _fail_line(case, str(err))
        raise typer.Exit(EXIT_USAGE) from None
    except (SyntaxError, ValueError, OSError, EndpointError) as err:
        _fail_line(case, str(err).splitlines()[0])
        raise typer.Exit(EXIT_SOME_FAILED) from None
    if html:
        from kg.outputs.show import letter_page

        page = output or Path(f"{found.case}.html")
        with atomic_writer(page) as fh:
            fh.write(letter_page(found))
        _echo(f"imrkg: letter {found.case}: {len(found.facts)} facts -> {page}", err=True)
        return
    console = Console(highlight=False, soft_wrap=True)
    console.print(
        f"[bold]{escape(shown(found.case))}[/bold]  decided {escape(shown(found.decision or '?'))}  "
        f"{escape(shown(found.outcome or ''))}"
    )
    current = None
    for fact in found.facts:
        if fact.item != current:
            current = fact.item
            console.print(f"\n[bold]item {fact.item}[/bold]")
        value = f" {escape(shown(fact.value))}" if fact.value and fact.value != fact.quote else ""
        quote = f'  [yellow]"{escape(shown(fact.quote))}"[/yellow]' if fact.quote else ""
        console.print(f"  [cyan]{fact.kind}[/cyan]:{value}{quote}")


ExportFormat = StrEnum(  # type: ignore[misc]
    "ExportFormat", {f: f for f in (*FORMATS, "parquet")}
)  # kg.outputs.export's, and kg.outputs.tables
View = StrEnum("View", {v: v for v in VIEWS})  # type: ignore[misc]
DEFAULT_VIEW = View(VIEWS[0])


@app.command()
def export(
    fmt: Annotated[ExportFormat, typer.Argument(help="gexf (1.3, for Gephi), graphml, or parquet (tables).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write (atomically).")],
    view: Annotated[View, typer.Option("--view", "-v", help="Which graph to draw.")] = DEFAULT_VIEW,
    source: Annotated[
        Path | None, typer.Argument(help="A build directory or graph file; without it, the store is read.")
    ] = None,
    store: StoreOption = DEFAULT_STORE,
    preview: Annotated[Path | None, typer.Option("--preview", help="Also draw a PNG of the view.")] = None,
) -> None:
    """Export a view of the graph for Gephi (GEXF 1.3) or other tools (GraphML), or the graph as
    Parquet tables (letters, items, sources, reasons; -o names a folder)."""
    from kg.outputs.export import view_graph, write
    from kg.stores.store import in_memory

    if fmt is ExportFormat.parquet:  # type: ignore[attr-defined]
        from kg.outputs.tables import write_parquet

        try:
            counts = write_parquet(source if source is not None else _target(store, None), output)
        except ImportError as err:
            _fail_line("parquet", str(err))
            raise typer.Exit(EXIT_USAGE) from None
        except FileNotFoundError as err:
            _fail_line(str(source or store), str(err))
            raise typer.Exit(EXIT_USAGE) from None
        except (OSError, ValueError, SyntaxError) as err:
            _fail_line(str(source or store), str(err).splitlines()[0])
            raise typer.Exit(EXIT_SOME_FAILED) from None
        _echo(f"{', '.join(f'{n}: {c} rows' for n, c in counts.items())} -> {output}/", err=True)
        return
    try:
        target = in_memory([source]) if source is not None else _target(store, None)
        g = view_graph(target, view.value)
        write(g, output, fmt.value)
        if preview:
            from kg.outputs.export import preview as draw

            draw(g, preview)
    except (OSError, ValueError, SyntaxError) as err:
        _fail_line(str(source or store), str(err).splitlines()[0])
        raise typer.Exit(EXIT_SOME_FAILED) from None
    _echo(f"{view.value}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges -> {output}", err=True)


def _progress_bar(unit: str, quiet: bool):
    """A progress bar on stderr when it is a terminal (silent otherwise, or with --quiet): done
    and total once known, rate, elapsed time and time left."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task) -> Text:
            return Text(f"{task.speed:,.0f} {unit}/s" if task.speed else f"- {unit}/s")

    counted = (DownloadColumn(), TransferSpeedColumn()) if unit == "bytes" else (MofNCompleteColumn(), Rate())
    return Progress(
        SpinnerColumn(),
        BarColumn(),
        *counted,
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
        transient=True,
        disable=quiet or not sys.stderr.isatty(),
        console=_stderr_console(),
    )


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def _reflow_help() -> None:
    """Each command's help as paragraphs a terminal wraps, never a docstring's line breaks
    (typer keeps them after the first paragraph: "the store is" / "read-only, so ...")."""
    import inspect

    for command in app.registered_commands:
        callback = command.callback
        if callback is not None and callback.__doc__:
            paragraphs = inspect.cleandoc(callback.__doc__).split("\n\n")
            callback.__doc__ = "\n\n".join(" ".join(p.split()) for p in paragraphs)


_NO_ROOM = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}  # no space, a file size limit, a disk quota


def main() -> None:
    """The ``imrkg`` entry point. An output that cannot be written (read-only or missing folder,
    full disk) is one line naming it, exit 1: what was written before stays as it was."""
    from kg.base.output import OutputError

    stop_on_signals()
    _reflow_help()
    try:
        app()
    except Interrupted as stop:
        name = (
            "Ctrl-C" if stop.args and stop.args[0] == signal.SIGINT else f"signal {stop.args[0] if stop.args else '?'}"
        )
        typer.echo(f"imrkg: interrupted ({name}): what was being written was not kept; run it again", err=True)
        raise SystemExit(130) from None
    except OutputError as err:
        _echo(f"imrkg: {err.strerror}", err=True)
        raise SystemExit(EXIT_SOME_FAILED) from None
    except OSError as err:  # a full disk, a file size limit, a folder gone: one line, and what was built before stays
        where = f"{err.filename}: " if err.filename else ""
        hint = "; free disk and run it again (what was written before is kept)" if err.errno in _NO_ROOM else ""
        _echo(f"imrkg: {where}{err.strerror or err}{hint}", err=True)
        raise SystemExit(EXIT_SOME_FAILED) from None
    except sqlite3.Error as err:  # the build manifest (SQLite) on a full disk: "disk I/O error"
        _echo(
            f"imrkg: the build manifest could not be written ({err}): free disk and run it again "
            "(the previous build is kept)",
            err=True,
        )
        raise SystemExit(EXIT_SOME_FAILED) from None


if __name__ == "__main__":
    main()
