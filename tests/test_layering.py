"""The shape of the package: the parser wing stays free of RDF libraries, every shipped file is
found through importlib.resources, and nothing looks itself up relative to the source tree."""

from __future__ import annotations

import ast
import subprocess
import sys

from conftest import ROOT

from kg.base import resources

PARSER_STAGES = [
    "kg",
    "kg.reading.read",
    "kg.reading.normalize",
    "kg.reading.layout",
    "kg.reading.letter",
    "kg.reading.citations",
    "kg.reading.details",
]
PARSER_STAGES += [
    "kg.reading.records",
    "kg.reading.parse",
    "kg.reading.treatments",
    "kg.base.vocab",
    "kg.base.resources",
    "kg.base.version",
]
RDF_LIBRARIES = ("rdflib", "pyoxigraph", "pyshacl", "networkx")


def test_parser_stages_import_no_rdf_library():
    code = f"import sys; import {', '.join(PARSER_STAGES)}; print(sorted(m for m in sys.modules if m.split('.')[0] in {RDF_LIBRARIES!r}))"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]", res.stdout


def _imports(path) -> list[tuple[str, list[str]]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out.extend((a.name, []) for a in node.names)
    return out


def test_no_source_tree_lookups_and_no_private_rdflib_names():
    for path in sorted((ROOT / "kg").rglob("*.py")):
        assert "__file__" not in path.read_text(), f"{path.name} looks itself up in the source tree"
        for module, names in _imports(path):
            if module.startswith("rdflib"):
                private = [n for n in names if n.startswith("_")] + [p for p in module.split(".") if p.startswith("_")]
                assert not private, f"{path.name} imports rdflib's private {private}"


def test_only_the_parser_wing_is_imported_by_parser_stages():
    rdf_side = {"mapping", "terms", "namespaces", "vocab_rdf", "statistics", "validate", "build", "store"}
    rdf_side |= {"queries", "endpoint", "export", "cli", "builddir", "manifest"}
    for name in PARSER_STAGES[1:]:
        path = ROOT / (name.replace(".", "/") + ".py")
        used = {m.split(".")[-1] for m, _ in _imports(path) if m.startswith("kg.")}
        assert not used & rdf_side, f"{name} reaches into {used & rdf_side}"


def test_shipped_files_are_the_repository_files():
    assert resources.ontology_file().read_bytes() == (ROOT / "ontology" / "imr.ttl").read_bytes()
    assert resources.vocabulary_file().read_bytes() == (ROOT / "ontology" / "vocabulary.ttl").read_bytes()
    assert resources.shapes_file().read_bytes() == (ROOT / "shapes" / "imr-shapes.ttl").read_bytes()
    for folder in ("", "export", "tables"):
        shipped = [f.name for f in resources.query_files(folder)]
        assert shipped == sorted(p.name for p in (ROOT / "queries" / folder).glob("*.rq")) and shipped
    assert {f.name for f in resources.reference_files()} >= {"imr.ttl", "imr-shapes.ttl", "drugs.json"}


def test_resources_are_found_from_any_directory(tmp_path):
    code = "from kg.base import resources; print(len(resources.query_files()), resources.shapes_file().is_file())"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert res.stdout.split() == [str(len(list((ROOT / "queries").glob("*.rq")))), "True"]


def test_one_version_for_the_package_and_one_for_the_parser():
    from importlib.metadata import version

    import kg
    from kg.base.version import PARSER_VERSION, __version__

    assert kg.__version__ == __version__ == version("imr-kg")
    assert PARSER_VERSION and (ROOT / "CHANGELOG.md").read_text().count(__version__) >= 1


def test_a_question_lives_in_one_file():
    """No module of the package names a canned question: each is only its .rq file (issue 16)."""
    names = [p.stem for p in (ROOT / "queries").glob("*.rq")]
    for module in (ROOT / "kg").rglob("*.py"):
        text = module.read_text()
        assert not [n for n in names if f'"{n}"' in text or f"'{n}'" in text], module.name


def test_every_subpackage_and_data_folder_is_in_the_wheel():
    """A wing missing from pyproject's package list installs a wheel that cannot import (CI's
    wheel smoke test found kg.rules missing once)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    for init in (ROOT / "kg").rglob("__init__.py"):
        assert ".".join(init.parent.relative_to(ROOT).parts) in listed, init.parent
    for folder in (p for p in (ROOT / "kg" / "data").iterdir() if p.is_dir() and p.name != "__pycache__"):
        package = f"kg.data.{folder.name}"
        assert package in listed and "*.json" in config["package-data"][package], folder.name
