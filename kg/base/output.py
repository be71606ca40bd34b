"""Write outputs atomically: a partial file is never visible under its final name."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

# what a terminal acts on instead of showing: C0 controls but tab and newline, DEL, C1 (0x9b is
# a CSI on some terminals); in one-line messages newlines and the Unicode line separators too
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_IN_A_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# what json.dumps(ensure_ascii=False) leaves raw that a line-splitting reader (str.splitlines) or a
# terminal acts on: U+0085, U+2028, U+2029 split a JSON line in two
_JSON_RAW = {c: f"\\u{c:04x}" for c in (*range(0x7F, 0xA0), 0x2028, 0x2029)}


def shown(text: str, *, one_line: bool = False) -> str:
    """``text`` with the characters a terminal would act on written as escapes (``\\x1b``): every
    value printed from a letter, a server's answer or a user's argument goes through here."""
    pattern = _CONTROL_IN_A_LINE if one_line else _CONTROL
    return pattern.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def json_text(value: object, **kwargs: object) -> str:
    """JSON as UTF-8 text (``ensure_ascii=False``) with U+0085, U+2028, U+2029 and the C1
    controls escaped: a JSON line stays one line for every reader, and prints safely."""
    return json.dumps(value, ensure_ascii=False, **kwargs).translate(_JSON_RAW)  # type: ignore[arg-type]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class OutputError(OSError):
    """An output file that cannot be written (a missing or read-only folder, a full disk): the
    message names the file the user asked for, never the temporary one."""

    def __str__(self) -> str:
        return str(self.strerror)


@contextmanager
def atomic_writer(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file beside ``path``; rename over it only when the block succeeds."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as err:
        raise OutputError(err.errno, f"{path}: cannot write there ({err.strerror or err})") from None
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8") as handle:
            yield handle
            try:
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as err:  # a full disk shows here at the latest
                raise OutputError(err.errno, f"{path}: could not be written ({err.strerror or err})") from None
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file normal permissions
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def replace_durably(part: str | Path, final: str | Path) -> None:
    """Make a finished file (written and closed under a temporary name) the file at ``final``:
    fsync it, then rename it over whatever is there, so a crash leaves the old file or the whole
    new one (the build's manifest and word index, the store's copies of word indexes)."""
    fd = os.open(part, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(part, final)


def remove_stale_parts(directory: str | Path) -> None:
    """Delete temporary files a killed run left behind (they never carry a final name)."""
    for stale in Path(directory).glob(".*.part"):
        stale.unlink(missing_ok=True)
