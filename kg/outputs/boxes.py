"""An answer as a table drawn with box characters, for people at a terminal (``--format table``).

Drawn here rather than by rich: importing and rendering with rich cost ``imrkg query`` 35 ms of
its 180 (docs/scale.md), for a grid of short cells. Columns are sized to their widest cell; when
the grid is wider than ``width`` the widest columns give way and their cells wrap at spaces (a
word longer than its column is cut into pieces). Widths count East Asian wide characters as two
cells, as terminals draw them.
"""

from __future__ import annotations

import textwrap
import unicodedata

MIN_COLUMN = 6  # a column never gives way below this many cells (nor below its own width, if less)


def cells(text: str) -> int:
    """How many terminal cells ``text`` takes (wide and full-width characters two, combining marks none)."""
    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(widths: list[int], floors: list[int], room: int) -> list[int]:
    """Narrow the widest columns, one cell at a time, until they fit in ``room`` (or reach their floor)."""
    widths = list(widths)
    while sum(widths) > room:
        i = max(range(len(widths)), key=lambda k: (widths[k] - floors[k] > 0, widths[k]))
        if widths[i] <= floors[i]:
            break
        widths[i] -= 1
    return widths


def _wrap(text: str, width: int) -> list[str]:
    if cells(text) <= width:
        return [text]
    lines = textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=False) or [""]
    out: list[str] = []
    for line in lines:  # textwrap counts characters: cut again where wide characters overflow
        while cells(line) > width:
            cut = len(line)
            while cut > 1 and cells(line[:cut]) > width:
                cut -= 1
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return out


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cells(text))


def render(columns: list[str], rows: list[list[str]], width: int = 80) -> str:
    """The grid as text, at most ``width`` cells wide where the columns can give way."""
    n = len(columns)
    natural = [
        max([cells(c)] + [cells(line) for r in rows for line in r[i].splitlines() or [""]])
        for i, c in enumerate(columns)
    ]
    floors = [min(w, MIN_COLUMN) for w in natural]
    widths = _fit(natural, floors, max(width - (3 * n + 1), n))

    def lines_of(row: list[str], left: str, sep: str, right: str) -> list[str]:
        wrapped = [
            [piece for part in (cell.splitlines() or [""]) for piece in _wrap(part, widths[i])]
            for i, cell in enumerate(row)
        ]
        height = max(len(w) for w in wrapped)
        return [
            left + sep.join(_pad(w[k] if k < len(w) else "", widths[i]) for i, w in enumerate(wrapped)) + right
            for k in range(height)
        ]

    def rule(left: str, fill: str, joint: str, right: str) -> str:
        return left + joint.join(fill * (w + 2) for w in widths) + right

    out = [rule("┏", "━", "┳", "┓")]
    out += lines_of(columns, "┃ ", " ┃ ", " ┃")
    out.append(rule("┡", "━", "╇", "┩"))
    for r in rows:
        out += lines_of(r, "│ ", " │ ", " │")
    out.append(rule("└", "─", "┴", "┘"))
    return "\n".join(out) + "\n"


__all__ = ["cells", "render"]
