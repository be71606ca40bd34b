"""imr-kg: California workers' compensation IMR determination letters -> knowledge graph.

The public API is small::

    from kg import parse_file, parse_text, to_record
    letter = parse_file("letter.pdf")      # frozen dataclasses (kg.reading.models)
    record = to_record(letter)             # the documented JSON shape
"""

from kg.base.version import PARSER_VERSION, __version__
from kg.reading.errors import ParseError
from kg.reading.letter import parse_text
from kg.reading.models import Citation, Item, Letter, Source
from kg.reading.parse import parse_file, parse_paths
from kg.reading.records import to_record

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
