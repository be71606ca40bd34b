"""Gephi views: schema-valid GEXF 1.3, GraphML round trip, and counts and weights recomputed from
the parsed letters in plain Python."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections import Counter
from itertools import combinations

import networkx as nx
import pytest
from conftest import SHARED, needs_shared
from lxml import etree

from kg.base.resources import data_file
from kg.base.vocab import guideline_works, slug
from kg.outputs.export import VIEWS, gexf_bytes, graphml_bytes, validate_gexf, view_graph
from kg.reading.treatments import concepts
from kg.stores.store import load, open_store

SCHEMA = SHARED / "schemas" / "gexf-1.3" / "gexf.rng"
CLI = [sys.executable, "-m", "kg.cli"]


@pytest.fixture(scope="module")
def store(shared_build, tmp_path_factory):
    s = open_store(tmp_path_factory.mktemp("store"))
    load(s, [shared_build])
    return s


def _guide(src) -> str:
    short = guideline_works()[src.work].short
    return f"{short}: {src.chapter}" if src.chapter else short


def _treatment(item) -> str:
    return concepts()[item.treatment.concept]["label"]


def _specialties(letter) -> set[str]:
    names = {slug(r["name"]): r["name"] for r in csv.DictReader(data_file("specialties.csv").open())}
    return {names.get(slug(s), s) for s in letter.reviewer.specialties}


def _weights(g: nx.Graph) -> dict[frozenset, float]:
    return {frozenset((g.nodes[a]["label"], g.nodes[b]["label"])): d["weight"] for a, b, d in g.edges(data=True)}


@needs_shared
@pytest.mark.parametrize("view", VIEWS)
def test_every_view_validates_against_the_gexf_schema(store, view):
    data = gexf_bytes(view_graph(store, view))
    assert validate_gexf(data, SCHEMA) == []
    root = etree.fromstring(data)
    assert root.get("version") == "1.3" and root.find("{http://gexf.net/1.3}graph").get("timeformat") == "date"


@needs_shared
def test_full_view_types_and_counts(store, shared_letters):
    g = view_graph(store, "full")
    types = Counter(d["type"] for _, d in g.nodes(data=True))
    items = [(letter, i) for letter in shared_letters for i in letter.items]
    guides = {_guide(s) for _, i in items for s in i.imr.sources}
    assert types["letter"] == len(shared_letters)
    assert types["item"] == len(items)
    assert types["treatment"] == len({_treatment(i) for _, i in items})
    assert types["specialty"] == len(set().union(*(_specialties(letter) for letter in shared_letters)))
    assert types["guideline chapter"] + types["guideline work"] == len(guides)
    assert set(types) == {"letter", "item", "treatment", "specialty", "guideline chapter", "guideline work"}
    # no literals as nodes, no rdf:type edges: every node is one of the typed kinds, every edge a relation
    relations = Counter(d["relation"] for *_, d in g.edges(data=True))
    assert relations["has item"] == len(items)
    assert relations["treatment"] == len(items)
    dated = [d for _, d in g.nodes(data=True) if d["type"] == "letter" and "start" in d]
    assert len(dated) == sum(1 for letter in shared_letters if letter.dates.decision)


@needs_shared
def test_treatment_guideline_weights_and_uphold_rates(store, shared_letters):
    weight, upheld = Counter(), Counter()
    for letter in shared_letters:
        for item in letter.items:
            for guide in {_guide(s) for s in item.imr.sources}:
                key = frozenset((_treatment(item), guide))
                weight[key] += 1
                upheld[key] += item.outcome == "Upheld"
    g = view_graph(store, "treatment-guideline")
    assert _weights(g) == weight
    for a, b, d in g.edges(data=True):
        key = frozenset((g.nodes[a]["label"], g.nodes[b]["label"]))
        assert d["uphold_rate"] == round(upheld[key] / weight[key], 4)
    assert nx.is_bipartite(g)


@needs_shared
def test_specialty_treatment_weights(store, shared_letters):
    weight = Counter()
    for letter in shared_letters:
        for item in letter.items:
            for sp in _specialties(letter):
                weight[frozenset((sp, _treatment(item)))] += 1
    assert _weights(view_graph(store, "specialty-treatment")) == weight


@needs_shared
def test_guideline_cocitation_weights(store, shared_letters):
    weight = Counter()
    for letter in shared_letters:
        for item in letter.items:
            for a, b in combinations(sorted({_guide(s) for s in item.imr.sources}), 2):
                weight[frozenset((a, b))] += 1
    assert _weights(view_graph(store, "guideline-cocitation")) == weight


@needs_shared
def test_graphml_round_trips_with_attributes(store):
    g = view_graph(store, "specialty-treatment")
    back = nx.read_graphml(io.BytesIO(graphml_bytes(g)))
    assert set(back.nodes) == set(g.nodes) and back.number_of_edges() == g.number_of_edges()
    for n, d in g.nodes(data=True):
        b = back.nodes[n]
        assert (b["label"], b["type"], b["items"], b["uphold_rate"]) == (
            d["label"],
            d["type"],
            d["items"],
            d["uphold_rate"],
        )
        assert (b["r"], b["g"], b["b"]) == tuple(d["viz"]["color"][c] for c in "rgb")
    for a, c, d in g.edges(data=True):
        assert back.edges[a, c]["weight"] == d["weight"]


def test_cli_export_is_deterministic_and_draws_a_preview(example_build, tmp_path):
    out = example_build
    paths = []
    for n in (1, 2):
        path = tmp_path / f"v{n}.gexf"
        res = subprocess.run(
            [*CLI, "export", "gexf", str(out), "-o", str(path), "--view", "full", "--preview", str(tmp_path / "v.png")],
            capture_output=True,
            text=True,
        )
        assert res.returncode == 0, res.stderr
        paths.append(path)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert (tmp_path / "v.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if SCHEMA.is_file():
        assert validate_gexf(paths[0].read_bytes(), SCHEMA) == []
    res = subprocess.run(
        [*CLI, "export", "graphml", str(out), "-o", str(tmp_path / "g.graphml"), "-v", "treatment-guideline"]
    )
    assert res.returncode == 0
    kinds = {d["type"] for _, d in nx.read_graphml(tmp_path / "g.graphml").nodes(data=True)}
    assert kinds <= {"treatment", "guideline chapter", "guideline work"} and "treatment" in kinds
    bad = subprocess.run(
        [*CLI, "export", "gexf", str(tmp_path / "missing"), "-o", str(tmp_path / "m.gexf")],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "missing" in bad.stderr and not (tmp_path / "m.gexf").exists()


def test_unknown_view_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown view"):
        view_graph(open_store(tmp_path / "s"), "everything")


def test_xml_illegal_characters_in_titles_do_not_break_the_export(tmp_path):
    import networkx as nx
    from lxml import etree

    from kg.outputs.export import write

    g = nx.Graph()
    g.add_node(
        "a",
        label="Lumbar \ufffe brace\x01",
        type="treatment",
        items=1,
        uphold_rate=1.0,
        viz={"color": {"r": 1, "g": 2, "b": 3, "a": 1.0}, "size": 4.0},
    )
    g.add_node(
        "b\ufffe",
        label="ODG",
        type="guideline work",
        items=1,
        uphold_rate=0.0,
        viz={"color": {"r": 1, "g": 2, "b": 3, "a": 1.0}, "size": 4.0},
    )
    g.add_edge("a", "b\ufffe", weight=1.0, uphold_rate=1.0)
    for fmt in ("gexf", "graphml"):
        write(g, tmp_path / f"g.{fmt}", fmt)
        tree = etree.parse(str(tmp_path / f"g.{fmt}"))  # well-formed
        texts = {e.text for e in tree.iter()} | {v for e in tree.iter() for v in e.attrib.values()}
        assert "Lumbar \ufffd brace\ufffd" in texts


def test_preview_ranks_bipartite_views_in_two_columns(store, tmp_path):
    """A view whose edges join two groups of node types is drawn as two ranked columns (labels
    beside their nodes, never over each other); others as a spring layout."""
    from kg.outputs.export import _bipartite_sides, preview

    view = view_graph(store, "treatment-guideline")
    sides = _bipartite_sides(view)
    assert sides is not None
    kinds = [{view.nodes[n]["type"] for n in side} for side in sides]
    assert {"treatment"} in kinds and all(a not in b for a in kinds[0] for b in [kinds[1]])
    assert _bipartite_sides(view_graph(store, "guideline-cocitation")) is None
    preview(view, tmp_path / "v.png")
    assert (tmp_path / "v.png").stat().st_size > 10_000


def test_a_node_counts_each_item_once_in_every_view(store):
    """A treatment's items and uphold rate are the same in every view that has the treatment,
    whatever number of guidelines or specialties its items touch (issue 18)."""
    counts: dict[str, set] = {}
    for view in ("full", "treatment-guideline", "specialty-treatment"):
        g = view_graph(store, view)
        for key, data in g.nodes(data=True):
            if data["type"] == "treatment":
                counts.setdefault(key, set()).add((data["items"], data["uphold_rate"]))
    assert counts and all(len(seen) == 1 for seen in counts.values()), {k: v for k, v in counts.items() if len(v) > 1}
