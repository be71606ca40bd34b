"""The one exception the parser raises for a document it cannot turn into a record."""

from __future__ import annotations


class ParseError(ValueError):
    """A document is not a parseable IMR letter; ``reason`` says why in one line."""

    def __init__(self, reason: str, file: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.file = file

    def __str__(self) -> str:
        return f"{self.file}: {self.reason}" if self.file else self.reason
