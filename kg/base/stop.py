"""Stopping on a signal: Ctrl-C (SIGINT), SIGTERM and SIGHUP raise :class:`Interrupted`.

Not a KeyboardInterrupt: click turns that into "Aborted!" and exit 1. Raised where the process is,
``finally`` blocks run (an atomic writer removes its partial file, ``imrkg serve`` stops its
server), and the CLI prints one line and exits 130.
"""

from __future__ import annotations

import signal

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(BaseException):
    """The process was asked to stop (its signal number is ``args[0]``)."""


def _raise(signum: int, frame: object) -> None:
    raise Interrupted(signum)


def stop_on_signals() -> None:
    """From now on, a stop signal raises :class:`Interrupted` in this process."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, _raise)


__all__ = ["STOP_SIGNALS", "Interrupted", "stop_on_signals"]
