"""Graph views for Gephi: the knowledge graph as networkx graphs, written as GEXF 1.3 or GraphML.

An RDF dump turned into nodes and edges is unreadable (every literal a node, rdf:type edges
everywhere), so each view is designed: typed nodes with a label, a ``type`` for partition
colouring, counts and uphold rates for ranking, ``weight`` on edges, viz colours and sizes,
and decision dates as GEXF time so Gephi's timeline works. The rows come from the SPARQL
files in ``queries/export/``, so the same views can be rebuilt from any store.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
from lxml import etree

from kg.base.output import atomic_writer
from kg.base.vocab import guideline_works
from kg.graph.iris import work_iri
from kg.outputs.names import FORMATS, VIEWS
from kg.stores.queries import EXPORT, query_text, run

# One colour per node type (Tableau 10), so Gephi and the preview agree.
COLOURS = {
    "letter": (78, 121, 167),
    "item": (186, 176, 172),
    "treatment": (242, 142, 43),
    "guideline chapter": (89, 161, 79),
    "guideline work": (118, 183, 178),
    "specialty": (225, 87, 89),
}


def _short_work_names() -> dict[str, str]:
    """Work IRI -> short name: short names keep chapter labels readable in a crowded layout."""
    return {str(work_iri(w.id)): w.short for w in guideline_works().values()}


@dataclass
class _Item:
    letter: str
    case: str | None
    date: str | None
    title: str
    outcome: str
    treatment: str | None
    treatment_label: str | None
    guidelines: dict[str, tuple[str, str]] = field(default_factory=dict)  # IRI -> (label, type)


def _rows(store, name: str) -> list[dict[str, str | None]]:
    columns, rows = run(store, query_text(name, EXPORT))
    return [dict(zip(columns, r, strict=True)) for r in rows]


def _collect(store) -> tuple[dict[str, _Item], dict[str, dict[str, str]]]:
    items: dict[str, _Item] = {}
    for r in _rows(store, "items"):
        if r["item"] in items:  # a second label of a concept; the first is enough
            continue
        items[r["item"]] = _Item(  # type: ignore[index]
            r["letter"],  # type: ignore[arg-type]
            r["case"],
            r["date"],
            r["title"],  # type: ignore[arg-type]
            r["outcome"],  # type: ignore[arg-type]
            r["treatment"],
            r["treatmentLabel"],
        )
    short = _short_work_names()
    for r in _rows(store, "reviewer-citations"):
        if r["item"] in items:
            work = short.get(r["work"], r["workLabel"])  # type: ignore[arg-type]
            if r["chapterLabel"]:
                guide = (f"{work}: {r['chapterLabel']}", "guideline chapter")
            else:
                guide = (work, "guideline work")  # type: ignore[assignment]
            items[r["item"]].guidelines.setdefault(r["guideline"], guide)  # type: ignore[arg-type]
    specialties: dict[str, dict[str, str]] = defaultdict(dict)
    for r in _rows(store, "reviewer-specialties"):
        specialties[r["letter"]].setdefault(r["specialty"], r["label"])  # type: ignore[arg-type, index]
    return items, specialties


class _Builder:
    """Accumulates typed nodes and weighted edges with counts, outcomes and first dates."""

    def __init__(self) -> None:
        self.g = nx.Graph()

    def node(self, key: str, label: str, kind: str) -> None:
        """Add a node (its item counts come from :meth:`count_items`, once per item)."""
        if key not in self.g:
            self.g.add_node(key, label=label, type=kind, items=0, upheld=0)

    def count_items(self, items: dict[str, _Item], specialties: dict[str, dict[str, str]]) -> None:
        """Each node's items and upheld items, counted once per item whatever the view: the
        items of a treatment, citing a guideline, decided by a specialty, of a letter. Counted
        while adding edges, the MRI node had 59 items in one view, 67 and 94 in others."""
        for iri, it in items.items():
            touched = {it.letter, iri, it.treatment, *it.guidelines, *specialties.get(it.letter, {})}
            for key in touched:
                if key and key in self.g:
                    data = self.g.nodes[key]
                    data["items"] += 1
                    data["upheld"] += it.outcome == "Upheld"
                    _first_date(data, it.date)

    def edge(self, a: str, b: str, item: _Item | None = None, relation: str | None = None) -> None:
        if not self.g.has_edge(a, b):
            self.g.add_edge(a, b, weight=0, upheld=0)
            if relation:
                self.g.edges[a, b]["relation"] = relation
        data = self.g.edges[a, b]
        data["weight"] += 1
        if item is not None:
            data["upheld"] += item.outcome == "Upheld"
            _first_date(data, item.date)

    def finish(self, view: str) -> nx.Graph:
        g = self.g
        for _, data in g.nodes(data=True):
            data["uphold_rate"] = round(data["upheld"] / data["items"], 4) if data["items"] else 0.0
        for _, _, data in g.edges(data=True):
            data["uphold_rate"] = round(data.pop("upheld") / data["weight"], 4)
            data["weight"] = float(data["weight"])
        degree = dict(g.degree(weight="weight"))
        top = max(degree.values(), default=1) or 1
        for key, data in g.nodes(data=True):
            r, gr, b = COLOURS[data["type"]]
            size = 4 + 26 * math.sqrt(degree[key] / top)
            data["viz"] = {"color": {"r": r, "g": gr, "b": b, "a": 1.0}, "size": round(size, 2)}
        g.graph["view"] = view
        return g


def _first_date(data: dict, date: str | None) -> None:
    if date and (data.get("start") is None or date < data["start"]):
        data["start"] = date


def view_graph(store, view: str) -> nx.Graph:
    """One of :data:`VIEWS` as a networkx graph (node keys are the RDF IRIs)."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; choose one of {', '.join(VIEWS)}")
    items, specialties = _collect(store)
    b = _Builder()
    if view == "full":
        for iri, it in items.items():
            b.node(it.letter, it.case or it.letter.rsplit("/", 1)[-1], "letter")
            b.node(iri, it.title, "item")
            b.edge(it.letter, iri, it, "has item")
            if it.treatment:
                b.node(it.treatment, it.treatment_label or it.treatment, "treatment")
                b.edge(iri, it.treatment, it, "treatment")
            for guide, (label, kind) in it.guidelines.items():
                b.node(guide, label, kind)
                b.edge(iri, guide, it, "reviewer cited")
        for it in items.values():
            for sp, label in specialties.get(it.letter, {}).items():
                b.node(sp, label, "specialty")
        for letter, names in specialties.items():
            if letter in b.g:
                for sp in names:
                    b.edge(letter, sp, None, "reviewer specialty")
    elif view == "treatment-guideline":
        for it in items.values():
            if it.treatment:
                for guide, (label, kind) in it.guidelines.items():
                    b.node(it.treatment, it.treatment_label or it.treatment, "treatment")
                    b.node(guide, label, kind)
                    b.edge(it.treatment, guide, it)
    elif view == "specialty-treatment":
        for it in items.values():
            if it.treatment:
                for sp, label in specialties.get(it.letter, {}).items():
                    b.node(sp, label, "specialty")
                    b.node(it.treatment, it.treatment_label or it.treatment, "treatment")
                    b.edge(sp, it.treatment, it)
    else:  # guideline-cocitation: chapters (or works) cited together in one decision
        for it in items.values():
            guides = sorted(it.guidelines)
            for guide in guides:
                b.node(guide, *it.guidelines[guide])
            for i, a in enumerate(guides):
                for c in guides[i + 1 :]:
                    b.edge(a, c, it)
    b.count_items(items, specialties)
    return b.finish(view)


# -- writing ------------------------------------------------------------------------------------
GEXF_NS = "http://gexf.net/1.3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def gexf_bytes(g: nx.Graph) -> bytes:
    """GEXF 1.3 that validates against the official schema.

    networkx 3.6 writes ``name=""`` on <graph> and a misspelt XSI namespace
    (``http://w3.org/2001/...``) with a schemaLocation; both are repaired here. Nodes with a
    ``start`` make the graph dynamic, with dates as the time format.
    """
    g = g.copy()
    dynamic = any("start" in d for _, d in g.nodes(data=True))
    if dynamic:
        g.graph["mode"] = "dynamic"
    g.graph.pop("view", None)
    for _, data in g.nodes(data=True):
        data.pop("upheld", None)
    raw = "\n".join(nx.generate_gexf(g, version="1.3"))
    root = etree.fromstring(raw.encode("utf-8"))
    graph = root.find(f"{{{GEXF_NS}}}graph")
    if graph is not None and graph.get("name") == "":
        del graph.attrib["name"]
    for key in list(root.attrib):
        if key.endswith("schemaLocation"):
            del root.attrib[key]
    meta = root.find(f"{{{GEXF_NS}}}meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)  # today's date would make two exports differ
    etree.cleanup_namespaces(root)
    root.set("version", "1.3")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def graphml_bytes(g: nx.Graph) -> bytes:
    """GraphML with flat attributes (GraphML has no place for viz dicts: colour as r, g, b)."""
    g = g.copy()
    for _, data in g.nodes(data=True):
        viz = data.pop("viz", None)
        data.pop("upheld", None)
        data.setdefault("start", "")
        if viz:
            data["r"], data["g"], data["b"] = (viz["color"][c] for c in "rgb")
            data["size"] = float(viz["size"])
    for _, _, data in g.edges(data=True):
        data.setdefault("start", "")
        data.setdefault("relation", "")
    return "\n".join(nx.generate_graphml(g)).encode("utf-8")


def validate_gexf(data: bytes, schema: Path) -> list[str]:
    """Errors against a GEXF RELAX NG schema (empty when valid)."""
    rng = etree.RelaxNG(etree.parse(str(schema)))
    ok = rng.validate(etree.fromstring(data))
    return [] if ok else [str(e) for e in rng.error_log]


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(g: nx.Graph) -> nx.Graph:
    """A copy whose text attributes hold only characters XML 1.0 allows (a U+FFFE in one title
    made the whole GEXF export fail and the GraphML not well-formed); each is replaced by U+FFFD."""
    g = g.copy()

    def clean(data: dict) -> None:
        for key, value in data.items():
            if isinstance(value, str) and _XML_ILLEGAL.search(value):
                data[key] = _XML_ILLEGAL.sub("\ufffd", value)

    for _, data in g.nodes(data=True):
        clean(data)
    for _, _, data in g.edges(data=True):
        clean(data)
    return nx.relabel_nodes(
        g, {n: _XML_ILLEGAL.sub("\ufffd", n) for n in g if isinstance(n, str) and _XML_ILLEGAL.search(n)}
    )


def write(g: nx.Graph, path: str | Path, fmt: str) -> None:
    """Write a view as ``gexf`` or ``graphml`` (one of :data:`FORMATS`), atomically."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    g = xml_safe(g)
    data = gexf_bytes(g) if fmt == "gexf" else graphml_bytes(g)
    with atomic_writer(path, "wb") as fh:
        fh.write(data)


def preview(g: nx.Graph, path: str | Path, max_nodes: int = 150) -> None:
    """A PNG of the view's heaviest nodes, coloured by type with a legend (no Gephi needed).

    A view whose edges all join two node types (treatment-guideline, specialty-treatment) is
    drawn as two ranked columns, the heaviest at the top, each label beside its node; any other
    as a spring layout labelling the heaviest nodes whose labels do not overlap one already drawn.
    Labels are shortened, never clipped by the figure's edge."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def weight(n) -> float:
        return g.nodes[n]["viz"]["size"]

    sides = _bipartite_sides(g)
    fig, ax = plt.subplots(figsize=(11, 9), dpi=100)
    if sides:
        per_side = max_nodes // 4
        columns = [sorted(side, key=lambda n: -weight(n))[:per_side] for side in sides]
        sub = g.subgraph(columns[0] + columns[1])
        pos = {n: (x, -rank) for x, col in ((0.0, columns[0]), (1.0, columns[1])) for rank, n in enumerate(col)}
    else:
        sub = g.subgraph(sorted(g.nodes, key=lambda n: -weight(n))[:max_nodes])
        pos = nx.spring_layout(sub, seed=7, weight="weight", k=2.5 / math.sqrt(max(len(sub), 1)), iterations=100)
    colours = [tuple(c / 255 for c in COLOURS[sub.nodes[n]["type"]]) for n in sub]
    sizes = [min(sub.nodes[n]["viz"]["size"] * 8, 600) for n in sub]
    widths = [0.3 + math.log1p(d["weight"]) for _, _, d in sub.edges(data=True)]
    nx.draw_networkx_edges(sub, pos, ax=ax, width=widths, alpha=0.2)
    nx.draw_networkx_nodes(sub, pos, ax=ax, node_color=colours, node_size=sizes, linewidths=0)
    for kind, rgb in COLOURS.items():
        if any(sub.nodes[n]["type"] == kind for n in sub):
            ax.scatter([], [], color=tuple(c / 255 for c in rgb), label=kind)
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.01), ncols=6, fontsize=8, frameon=False, title="node type")
    shown = f"top {len(sub)} by weight" + (", two ranked columns" if sides else "")
    ax.set_title(f"imr-kg view: {g.graph.get('view', '')} ({g.number_of_nodes()} nodes; {shown})")
    ax.axis("off")
    if sides:
        for n, (x, y) in pos.items():
            left = x == 0.0
            label = shorten(sub.nodes[n]["label"])
            ax.text(x - 0.03 if left else x + 0.03, y, label, fontsize=7, ha="right" if left else "left", va="center")
        ax.set_xlim(-0.9, 1.9)
        fig.tight_layout()
    else:
        ax.margins(0.12)
        fig.tight_layout()
        fig.canvas.draw()  # final positions first: the overlap test is in display coordinates
        _place_labels(fig, ax, sub, pos, sorted(sub, key=lambda n: -weight(n))[:40])
    with atomic_writer(path, "wb") as fh:
        fig.savefig(fh, format="png")
    plt.close(fig)


def shorten(label: str, width: int = 40) -> str:
    """A label cut to ``width`` characters with an ellipsis (chart and preview labels)."""
    return label if len(label) <= width else label[: width - 1] + "…"


def _bipartite_sides(g: nx.Graph) -> tuple[list, list] | None:
    """The two node sets of a view whose node types fall in two groups with every edge joining
    the groups (treatment | guideline chapter or work), else None."""
    types = nx.Graph()
    types.add_nodes_from({d["type"] for _, d in g.nodes(data=True)})
    types.add_edges_from((g.nodes[a]["type"], g.nodes[b]["type"]) for a, b in g.edges)
    if len(types) < 2 or nx.number_of_selfloops(types) or not nx.is_connected(types) or not nx.is_bipartite(types):
        return None
    left, right = nx.bipartite.sets(types)
    groups = sorted([left, right], key=lambda side: sorted(side))
    return tuple([n for n, d in g.nodes(data=True) if d["type"] in side] for side in groups)  # type: ignore[return-value]


def _place_labels(fig, ax, g: nx.Graph, pos: dict, candidates: list) -> None:
    """Label ``candidates`` in order, leaving out a label that would overlap one already placed."""
    renderer = fig.canvas.get_renderer()
    placed = []  # type: ignore[var-annotated]
    for n in candidates:
        x, y = pos[n]
        text = ax.text(x, y, shorten(g.nodes[n]["label"], 32), fontsize=7, ha="center", va="bottom")
        box = text.get_window_extent(renderer=renderer).expanded(1.05, 1.1)
        if any(box.overlaps(other) for other in placed):
            text.remove()
        else:
            placed.append(box)
