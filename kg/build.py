"""Parse -> map -> validate -> write: the ``imrkg build`` pipeline, streaming letter by letter.

Outputs in OUTDIR (each written to a temporary name and renamed when complete):
``graph.nq`` (N-Quads, one named graph per letter plus the vocabulary graph), ``graph.ttl``
(Turtle of the union, written by pyoxigraph: rdflib's pretty serializer takes minutes on large
graphs), ``validation-report.txt`` and ``summary.json``.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.plugins.serializers.nt import _nt_row

from kg.mapping import graph_iri, item_iri, letter_graph, letter_iri
from kg.namespaces import ID, IMR, PREFIXES, VOCAB_GRAPH
from kg.output import atomic_writer
from kg.parse import parse_document
from kg.read import discover
from kg.validate import Violation, validate_graph
from kg.vocab_rdf import vocabulary_graph

ONTOLOGY_FILE = Path(__file__).resolve().parent.parent / "ontology" / "imr.ttl"
ONTOLOGY_GRAPH = ID["graph/ontology"]
BATCH = 200  # letters per pySHACL call: its per-call overhead dominates small graphs


@dataclass
class BuildSummary:
    letters: int = 0
    items: int = 0
    triples: int = 0
    failures: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    unmapped_treatments: list[dict] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures and not self.violations

    def as_json(self) -> dict:
        return {
            "letters": self.letters,
            "items": self.items,
            "triples": self.triples,
            "item_outcomes": dict(self.outcomes),
            "failures": self.failures,
            "duplicates": self.duplicates,
            "violations": len(self.violations),
            "letters_not_conforming": len({v.letter for v in self.violations}),
            "unmapped_treatments": self.unmapped_treatments,
            "seconds": round(self.seconds, 3),
        }


def nquads(graph: Graph, context: URIRef) -> list[str]:
    """A letter graph as sorted N-Quads lines: sorting makes the bytes independent of hash order."""
    g = f" <{context}> .\n"
    return sorted(_nt_row(t)[:-3] + g for t in graph)


def build(
    inputs: Iterable[str | Path],
    outdir: str | Path,
    progress: Callable[[str], None] | None = None,
) -> BuildSummary:
    outdir = Path(outdir)
    summary = BuildSummary()
    start = time.perf_counter()
    seen: dict[str, str] = {}
    batch = Graph()
    batch_letters = 0
    with atomic_writer(outdir / "graph.nq") as nq:
        vocab = vocabulary_graph()
        nq.writelines(nquads(vocab, VOCAB_GRAPH))
        onto = Graph().parse(ONTOLOGY_FILE, format="turtle")  # labels of outcomes, parties, terms
        nq.writelines(nquads(onto, ONTOLOGY_GRAPH))
        summary.triples += len(vocab) + len(onto)
        for doc in discover(inputs):
            outcome = parse_document(doc)
            if progress:
                progress(doc.name)
            if outcome.letter is None:
                summary.failures.append({"file": doc.name, "error": outcome.error})
                continue
            letter = outcome.letter
            key = str(letter_iri(letter))
            if key in seen:
                summary.duplicates.append({"file": doc.name, "same_letter_as": seen[key]})
                continue
            seen[key] = doc.name
            g = letter_graph(letter, outcome.source_sha256)
            nq.writelines(nquads(g, graph_iri(letter)))
            summary.letters += 1
            summary.items += len(letter.items)
            summary.triples += len(g)
            for item in letter.items:
                summary.outcomes[item.outcome] += 1
                if (item_iri(letter, item.number), IMR.treatment, None) not in g:
                    summary.unmapped_treatments.append({"file": doc.name, "item": item.number, "title": item.title})
            batch += g
            batch_letters += 1
            if batch_letters >= BATCH:
                summary.violations.extend(validate_graph(batch))
                batch, batch_letters = Graph(), 0
        if batch_letters:
            summary.violations.extend(validate_graph(batch))
    write_turtle(outdir / "graph.nq", outdir / "graph.ttl")
    summary.seconds = time.perf_counter() - start
    with atomic_writer(outdir / "validation-report.txt") as rep:
        rep.write(report_text(summary))
    with atomic_writer(outdir / "summary.json") as js:
        json.dump(summary.as_json(), js, indent=2)
        js.write("\n")
    return summary


def write_turtle(nq_path: Path, ttl_path: Path) -> None:
    """Turtle of the union of all graphs, streamed through pyoxigraph."""
    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    triples = (q.triple for q in ox.parse(path=str(nq_path), format=ox.RdfFormat.N_QUADS))
    with atomic_writer(ttl_path, "wb") as out:
        ox.serialize(triples, out, format=ox.RdfFormat.TURTLE, prefixes=prefixes)


def report_text(summary: BuildSummary) -> str:
    lines = []
    if not summary.violations:
        lines.append(f"All {summary.letters} letters conform to the SHACL shapes.")
    else:
        lines.append(f"{len(summary.violations)} violations in {len({v.letter for v in summary.violations})} letters:")
        lines.extend(v.line() for v in summary.violations)
    for f in summary.failures:
        lines.append(f"not parsed: {f['file']}: {f['error']}")
    return "\n".join(lines) + "\n"
