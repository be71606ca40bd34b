"""Version numbers, each with one owner.

- ``__version__``: the package's release (``pip show imr-kg``, ``imrkg --version``); pyproject
  reads it from here.
- ``PARSER_VERSION``: the version of what the parser extracts and how it is mapped to RDF. Every
  letter graph records it (``prov:wasAttributedTo <…/id/parser/PARSER_VERSION>``) and the build manifest
  keeps it, so a build made by another parser version is rebuilt whole. Bump it whenever the
  records or triples of some letter change; a release that leaves them alone keeps it.
"""

from __future__ import annotations

__version__ = "0.10.0"
PARSER_VERSION = "0.9.0"

__all__ = ["PARSER_VERSION", "__version__"]
