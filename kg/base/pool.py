"""Work on chunks of documents in worker processes, results in input order, a bounded number
of chunks in flight, surviving workers that die.

``imrkg build`` and ``imrkg parse`` both stream through :func:`ordered_map`: memory holds only
the chunks in flight, whatever the corpus size, and output order (hence output bytes) does not
depend on scheduling.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, TypeVar

Item = TypeVar("Item")
Out = TypeVar("Out")

WORKER_DIED = "the worker reading it died (out of memory, or a crash in a library); it was skipped"
IN_FLIGHT_PER_JOB = 4  # chunks queued per worker: slack for the writer's disk stalls


WORKER_MEMORY_MB = 4096  # address space per worker; IMRKG_WORKER_MEMORY_MB overrides (0: no limit)


def die_with_parent() -> None:
    """Worker start: ask Linux to kill this worker when the process that started it dies (kill -9
    of a build left its workers running, 87 MB each), and cap its memory (:func:`limit_memory`).
    A worker ignores Ctrl-C: a terminal sends it to the whole process group, and the parent
    stops the workers (0.7.0's workers each printed "Exception in initializer ... KeyboardInterrupt")."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for sig in (signal.SIGTERM, signal.SIGHUP):  # forked from a CLI that raises on them: ended quietly
        signal.signal(sig, signal.SIG_DFL)
    end_with_parent()
    limit_memory()


def end_with_parent() -> None:
    """Ask Linux to kill this process when the process that started it dies, even by SIGKILL
    (PR_SET_PDEATHSIG): a worker, or the server `imrkg serve` starts. Elsewhere a no-op."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def limit_memory(megabytes: int | None = None) -> None:
    """Cap this process's address space: a document that would take gigabytes (a 350 KB PDF
    whose Flate stream unpacks to 1.5M text operators took 8 GB) fails with MemoryError, reported
    as that document's error, or kills only this worker, instead of taking the machine's memory
    from everything else. A worker of a build uses about 1 GB of address space."""
    if megabytes is None:
        megabytes = int(os.environ.get("IMRKG_WORKER_MEMORY_MB", WORKER_MEMORY_MB))
    if megabytes <= 0:
        return
    try:
        import resource

        limit = megabytes * 2**20
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # not on this system: no cap
        pass


class TooSlow(BaseException):
    """Raised by the timer inside a document's parse (a BaseException, so no handler on the way
    mistakes it for a parse failure)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (SIGALRM; only where signals can be set, else no limit)."""

    def expire(signum, frame):
        raise TooSlow

    try:
        previous = signal.signal(signal.SIGALRM, expire)
    except ValueError:  # not the main thread: no timer
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def chunked(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ordered_map(
    task: Callable[[list[Any]], list[Out]],
    chunks: Iterable[list[Item]],
    jobs: int,
    *,
    prepare: Callable[[list[Item]], list[Any]] = list,
    died: Callable[[Item], Out],
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
) -> Iterator[tuple[Item, Out]]:
    """(item, result) for every item, in input order: ``task(prepare(chunk))`` runs in one of
    ``jobs`` worker processes and returns one result per item.

    A worker that dies (killed for memory, a crash in a native library) breaks the pool: the
    pool is started again and the chunks it held are run again, a failing chunk split in halves
    until the one item that kills a worker is found; that item gets ``died(item)``. It costs
    that item, never the batch."""
    pool = _Pool(jobs, task, prepare, died, initializer, initargs)
    finished = False
    try:
        pending: deque[tuple[list[Item], Future]] = deque()
        for chunk in chunks:
            pending.append((chunk, pool.submit(chunk)))
            if len(pending) > IN_FLIGHT_PER_JOB * jobs:
                done, fut = pending.popleft()
                yield from zip(done, pool.collect(done, fut), strict=True)
        while pending:
            done, fut = pending.popleft()
            yield from zip(done, pool.collect(done, fut), strict=True)
        finished = True
    finally:
        pool.shutdown(now=not finished)  # interrupted or failed: stop the workers, do not wait for them


class _Pool:
    """A process pool that is started again when a worker dies."""

    def __init__(self, jobs, task, prepare, died, initializer, initargs) -> None:
        self.jobs, self.task, self.prepare, self.died = jobs, task, prepare, died
        self.initializer, self.initargs = initializer, initargs
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.jobs, initializer=self.initializer, initargs=self.initargs)

    def submit(self, chunk: list) -> Future:
        try:
            return self.executor.submit(self.task, self.prepare(chunk))
        except BrokenProcessPool:
            self.restart()
            return self.executor.submit(self.task, self.prepare(chunk))

    def collect(self, chunk: list, fut: Future) -> list:
        try:
            return fut.result()
        except BrokenProcessPool:
            self.restart()
            return self._isolate(chunk)

    def _isolate(self, chunk: list) -> list:
        try:
            return self.submit(chunk).result()
        except BrokenProcessPool:
            self.restart()
            if len(chunk) == 1:
                return [self.died(chunk[0])]
            middle = len(chunk) // 2
            return self._isolate(chunk[:middle]) + self._isolate(chunk[middle:])

    def restart(self) -> None:
        """A broken pool's futures all fail: start a new one (the broken one is already gone)."""
        if getattr(self.executor, "_broken", False):
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = self._start()

    def shutdown(self, now: bool = False) -> None:
        """Wait for the workers to end; ``now``: end them (a Ctrl-C, a failure in the parent)."""
        if now:
            for process in list(getattr(self.executor, "_processes", {}).values()):
                process.terminate()
            self.executor.shutdown(wait=False, cancel_futures=True)
            return
        self.executor.shutdown(wait=True, cancel_futures=True)


def default_jobs(jobs: int | None) -> int:
    """Worker processes: ``jobs``, or one per core."""
    return jobs or os.cpu_count() or 1


__all__ = [
    "WORKER_DIED",
    "WORKER_MEMORY_MB",
    "TooSlow",
    "limit_memory",
    "chunked",
    "default_jobs",
    "die_with_parent",
    "end_with_parent",
    "ordered_map",
    "time_limit",
]
