"""The embedded triple store (on-disk pyoxigraph) and loading a build into it.

Loading replaces each letter's named graph as a whole, so re-loading a changed build never
leaves a letter half old, half new.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

DEFAULT_STORE = Path(".imrkg") / "store"
_FORMATS = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
}


def open_store(path: str | Path = DEFAULT_STORE) -> ox.Store:
    Path(path).mkdir(parents=True, exist_ok=True)
    return ox.Store(str(path))


def graph_files(source: str | Path) -> list[Path]:
    source = Path(source)
    if source.is_dir():
        return [source / "graph.nq"]
    return [source]


def load(store: ox.Store, sources: list[str | Path]) -> dict[str, int]:
    """Load build outputs or graph files; each named graph in them replaces the stored one."""
    graphs = 0
    for source in sources:
        for path in graph_files(source):
            if not path.is_file():
                raise FileNotFoundError(f"no such file: {path}")
            fmt = _FORMATS.get(path.suffix)
            if fmt is None:
                raise ValueError(f"unknown RDF format {path.suffix or '(no extension)'} (use .nq, .trig, .ttl or .nt)")
            names = (
                {q.graph_name for q in ox.parse(path=str(path), format=fmt)}
                if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
                else set()
            )
            for name in names:
                if not isinstance(name, ox.DefaultGraph):
                    store.remove_graph(name)
            store.bulk_load(path=str(path), format=fmt)
            graphs += len(names)
    store.optimize()
    return {"graphs": graphs, "quads": len(store)}
