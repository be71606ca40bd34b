"""Normalize letter text so that pypdf output, pdfium output and the seed style parse the same.

The three differ only in layout noise: pypdf separates paragraphs with lines holding one space
and pages with an empty line, the seed files put a blank line after every line, and pdfium has
no blank lines at all, CRLF line ends and U+0002 for a soft hyphen at a line end. None of that
carries meaning the parser relies on, so blank lines are dropped, internal runs of white space
are folded and each remaining line is stripped. A line that ended in a hyphen *with* a trailing
space keeps one space, so that "Electro-" + "diagnostic" can be told from "left -" + "right".
"""

from __future__ import annotations

import re

# Characters PDF text extractors emit that mean something plainer.
_TRANSLATE = str.maketrans(
    {
        "\u00ad": "-",  # soft hyphen
        "\u00a0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u200b": "",
        "\ufeff": "",
        "\uf0b7": "-",  # private-use bullet from Word's Symbol font
        "\u2022": "-",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\t": " ",
        "\f": "\n",
        "\x0b": "\n",
    }
)
_SPACES = re.compile(r" {2,}")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def normalize(raw: str) -> str:
    """Return the canonical text every span of a record points into."""
    # pdfium writes U+0002 for a hyphen where it joined a word broken across lines; pypdf keeps
    # the break. Restore the break so both give the same lines.
    text = raw.replace("\x02\r\n", "-\n").replace("\x02", "-\n")
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_TRANSLATE)
    text = _SPACES.sub(" ", _CONTROL.sub("", text))  # once for the text, not once a line: same lines
    lines = []
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.endswith("-") and line.rstrip("\n") != line.rstrip():
            stripped += " "  # "word- " at a line end: a dash, not a hyphenated word
        lines.append(stripped)
    return "\n".join(lines) + "\n" if lines else ""


def join_lines(text: str) -> str:
    """Join wrapped lines into running text, undoing end-of-line hyphenation, and fold spaces."""
    # same rule as join_with_offsets (str.isalpha on both sides), which citations use for spans
    return _WHITESPACE.sub(" ", _HYPHEN_BREAK.sub("-", text)).strip()


# "letter-\nletter": the hyphen first, so that the engine skips to each "-" (the lookbehind
# first made it try every position: 0.41 -> 0.20 ms over a whole letter)
_HYPHEN_BREAK = re.compile(r"-(?<=[^\W\d_]-)\n(?=[^\W\d_])")


_WHITESPACE = re.compile(r"\s+")


def join_with_offsets(text: str, start: int, end: int) -> tuple[str, list[int]]:
    """Like :func:`join_lines` on ``text[start:end]``, also returning each output char's source offset.

    Works a run at a time (a character at a time cost a fifth of parsing): each run of
    whitespace becomes one space, placed at the offset of the run's last character, except a
    lone newline between "letter-" and a letter, which disappears (a word hyphenated across lines).
    """
    out: list[str] = []
    offsets: list[int] = []
    pos = start
    pending_space = False
    last2 = ""  # the last two characters written
    for m in _WHITESPACE.finditer(text, start, end):
        s, e = m.span()
        if s > pos:
            if pending_space:
                out.append(" ")
                offsets.append(pos - 1)
                last2 = last2[-1:] + " "
            out.append(text[pos:s])
            offsets.extend(range(pos, s))
            last2 = (last2 + text[pos:s])[-2:]
            pending_space = False
        pos = e
        hyphen_break = (
            text[e - 1] == "\n"
            and len(last2) == 2
            and last2[1] == "-"
            and last2[0].isalpha()
            and e < end
            and text[e].isalpha()
        )
        if hyphen_break and e - s == 1:
            continue  # join without a space
        pending_space = bool(out)
    if pos < end:
        if pending_space:
            out.append(" ")
            offsets.append(pos - 1)
        out.append(text[pos:end])
        offsets.extend(range(pos, end))
    return "".join(out), offsets
