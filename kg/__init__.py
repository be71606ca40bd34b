"""imr-kg: California workers' compensation IMR determination letters -> knowledge graph.

The public API is small::

    from kg import parse_file, parse_text, to_record
    letter = parse_file("letter.pdf")      # frozen dataclasses (kg.models)
    record = to_record(letter)             # the documented JSON shape
"""

from kg.errors import ParseError
from kg.letter import parse_text
from kg.models import Citation, Item, Letter, Source
from kg.parse import parse_file, parse_paths
from kg.records import to_record
from kg.version import PARSER_VERSION, __version__

__all__ = [
    "Citation",
    "Item",
    "Letter",
    "PARSER_VERSION",
    "ParseError",
    "Source",
    "__version__",
    "parse_file",
    "parse_paths",
    "parse_text",
    "to_record",
]
