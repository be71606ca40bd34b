"""imr-kg: California workers' compensation IMR determination letters -> knowledge graph.

The public API is small::

    from kg import parse_file, parse_text, to_record
    letter = parse_file("letter.pdf")      # frozen dataclasses (kg.reading.models)
    record = to_record(letter)             # the documented JSON shape
    found = find("functional improvement", {"outcome": "Upheld"}, index=".imrkg/store")  # decided items

Names are imported when first used (PEP 562): ``import kg`` (and so every ``imrkg`` command)
does not load the parser until something asks for it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from kg.base.version import PARSER_VERSION, __version__

_LAZY = {
    "ParseError": "kg.reading.errors",
    "parse_text": "kg.reading.letter",
    "Citation": "kg.reading.models",
    "Item": "kg.reading.models",
    "Letter": "kg.reading.models",
    "Source": "kg.reading.models",
    "parse_file": "kg.reading.parse",
    "parse_paths": "kg.reading.parse",
    "to_record": "kg.reading.records",
    "find": "kg.outputs.find",
}

if TYPE_CHECKING:
    from kg.outputs.find import find
    from kg.reading.errors import ParseError
    from kg.reading.letter import parse_text
    from kg.reading.models import Citation, Item, Letter, Source
    from kg.reading.parse import parse_file, parse_paths
    from kg.reading.records import to_record


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


__all__ = [
    "Citation",
    "Item",
    "Letter",
    "PARSER_VERSION",
    "ParseError",
    "Source",
    "__version__",
    "find",
    "parse_file",
    "parse_paths",
    "parse_text",
    "to_record",
]
