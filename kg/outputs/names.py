"""The names of the graph views and export formats, which every ``imrkg export --help`` shows:
here, so the CLI offers them without loading networkx (150 ms) with :mod:`kg.outputs.export`."""

from __future__ import annotations

VIEWS = ("full", "treatment-guideline", "specialty-treatment", "guideline-cocitation")
FORMATS = ("gexf", "graphml")

__all__ = ["FORMATS", "VIEWS"]
