"""The files the package ships besides its code, found through ``importlib.resources``.

``ontology/``, ``shapes/`` and ``queries/`` sit at the top of the repository so people can read
and reuse them without Python; the wheel installs them as the packages ``kg.ontology``,
``kg.shapes`` and ``kg.sparql`` (``package-dir`` in ``pyproject.toml``), and ``kg/data`` holds the
reference vocabularies. Every other module asks this one for them, so the code works the same
from a checkout, an editable install and a wheel, whatever the working directory.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

_ONTOLOGY, _SHAPES, _QUERIES, _DATA = "kg.ontology", "kg.shapes", "kg.sparql", "kg.data"


def ontology_file() -> Traversable:
    """``ontology/imr.ttl``: the OWL/RDFS ontology."""
    return resources.files(_ONTOLOGY) / "imr.ttl"


def vocabulary_file() -> Traversable:
    """``ontology/vocabulary.ttl``: the reference vocabularies as Turtle (generated from kg/data)."""
    return resources.files(_ONTOLOGY) / "vocabulary.ttl"


def shapes_file() -> Traversable:
    """``shapes/imr-shapes.ttl``: the SHACL shapes every letter graph must meet."""
    return resources.files(_SHAPES) / "imr-shapes.ttl"


def data_file(name: str) -> Traversable:
    """A reference data file of ``kg/data`` (CSV or JSON)."""
    return resources.files(_DATA) / name


def query_files(folder: str = "") -> list[Traversable]:
    """The ``.rq`` files of ``queries/`` (or of its sub-folder ``raw`` or ``export``), by name."""
    base = resources.files(_QUERIES)
    if folder:
        base = base / folder
    return sorted((f for f in base.iterdir() if f.name.endswith(".rq")), key=lambda f: f.name)


def query_file(name: str, folder: str = "") -> Traversable:
    """One ``.rq`` file of ``queries/`` by its name without the extension."""
    base = resources.files(_QUERIES)
    return (base / folder if folder else base) / f"{name}.rq"


QUERY_TIME_DATA = frozenset({"filters.json", "report.json"})  # read when asking, never by the build
RULE_FOLDERS = frozenset({"reasons"})  # sub-folders of kg/data whose files a build's output depends on


def reference_files() -> list[Traversable]:
    """Everything a build's output depends on besides the letters and the code: the ontology,
    the shapes and the reference data (the build hashes them to know when to rebuild). Data read
    only when questions are asked is left out: changing a report's layout must not rebuild a
    corpus."""
    root = resources.files(_DATA)
    folders = [root, *(d for d in root.iterdir() if d.is_dir() and d.name in RULE_FOLDERS)]
    data = sorted(
        (
            f
            for folder in folders
            for f in folder.iterdir()
            if f.name.endswith((".json", ".csv")) and f.name not in QUERY_TIME_DATA
        ),
        key=_name,
    )
    return [ontology_file(), shapes_file(), *data]


def _name(f: Traversable) -> str:
    return f.name


__all__ = [
    "data_file",
    "ontology_file",
    "query_file",
    "query_files",
    "reference_files",
    "shapes_file",
    "vocabulary_file",
]
