"""Write outputs atomically: a partial file is never visible under its final name."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


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


def remove_stale_parts(directory: str | Path) -> None:
    """Delete temporary files a killed run left behind (they never carry a final name)."""
    for stale in Path(directory).glob(".*.part"):
        stale.unlink(missing_ok=True)
