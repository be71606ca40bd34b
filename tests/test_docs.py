"""The README stays a quick start, and the generated reference pages stay current with the code
(as sqlite-utils checks its cog-generated CLI reference): a stale page fails CI with the command
that rewrites it."""

from __future__ import annotations

import pytest
from conftest import ROOT

from kg import docs


def test_the_readme_is_short_and_starts_with_what_to_type():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 300, f"README.md has {len(lines)} lines; move reference material to docs/"
    first = "\n".join(lines[:80])
    for command in (
        "pip install",
        "imrkg build",
        "imrkg load",
        "imrkg query",
        "imrkg show",
        "imrkg report",
        "imrkg serve",
    ):
        assert command in first, f"{command!r} is not in the README's first 80 lines"


@pytest.mark.parametrize("path", sorted(docs.pages(ROOT)), ids=lambda p: p.name)
def test_generated_pages_are_current(path):
    expected = docs.pages(ROOT)[path]
    assert path.is_file() and path.read_text(encoding="utf-8") == expected, (
        f"{path.relative_to(ROOT)} is stale: run `python -m kg.docs` from the repository's top folder"
    )


def test_every_link_of_the_readme_to_docs_finds_its_file():
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\((docs/[^)#]+)", text):
        assert (ROOT / target).is_file(), target
