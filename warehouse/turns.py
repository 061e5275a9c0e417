"""Writers take turns at the warehouse, in order of arrival, and every wait has an end.

DuckDB lets one process open the file to write, and none to read meanwhile; a second one
fails at once. On top of that lock:

- a **writing session** (a whole ingestion run: its check, every file, the refresh; or one
  refresh, one approval) holds ``<warehouse>.writer.lock``, so another writer (``victim-voice
  metrics`` in a loop) cannot slip in between a run's files. The session still opens DuckDB
  only for each file and for the refresh: readers get in between;
- a writer waiting for that turn holds ``<warehouse>.queue.lock`` while it waits, so writers
  are served in order of arrival: one that comes back at once (a loop) queues behind one
  already waiting;
- each wait is bounded (:class:`Deadline`), retried with backoff.

A session is re-entrant within a process (the ingest command holds it, and its flow's steps
open the warehouse again). The lock files are ``flock`` locks, released by the kernel when
the holder exits, however it exits; where ``fcntl`` is missing (Windows), DuckDB's own lock
is the only one.

Example::

    >>> with writer_session_turn(Path("data/warehouse.duckdb"), Deadline(300)):  # doctest: +SKIP
    ...     ...  # open the warehouse as often as needed; no other writer meanwhile
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

BACKOFF_FIRST_SECONDS, BACKOFF_MAX_SECONDS = 0.05, 0.5


class Deadline:
    """A bounded wait, retried with backoff (50 ms, doubling, at most 0.5 s between tries).

    >>> deadline = Deadline(0)
    >>> deadline.sleep()
    False
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds
        self._delay = BACKOFF_FIRST_SECONDS

    def sleep(self) -> bool:
        """Wait before the next try; False (at once) when the time is up."""
        remaining = self._end - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(self._delay, remaining))
        self._delay = min(self._delay * 2, BACKOFF_MAX_SECONDS)
        return True


class HeldTooLong(Exception):  # not TimeoutError: that is an OSError, a different fault
    """The wait ran out while another process held the warehouse (``holder`` says which)."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder


def lock_path(warehouse: Path, role: str) -> Path:
    """``data/warehouse.duckdb`` -> ``data/warehouse.duckdb.writer.lock`` (or ``.queue.lock``)."""
    return warehouse.with_name(f"{warehouse.name}.{role}.lock")


def this_process() -> str:
    """How a waiting process names this one: the command and sub-command, never their
    arguments (paths, SQL), and the PID; e.g. ``victim-voice metrics, PID 4242``."""
    words = [w for w in [Path(sys.argv[0]).name if sys.argv else "", *sys.argv[1:2]] if w and not w.startswith("-")]
    return f"{' '.join(words) or 'python'}, PID {os.getpid()}"


def _take(fd: int, deadline: Deadline, on_wait: Callable[[], None]) -> bool:
    """Lock ``fd`` exclusively, waiting until ``deadline``; False when the time ran out."""
    waited = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if not waited:
                on_wait()
                waited = True
            if not deadline.sleep():
                return False


def _open_lock(warehouse: Path, role: str) -> int:
    return os.open(lock_path(warehouse, role), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


def _holder(warehouse: Path) -> str:
    try:
        return lock_path(warehouse, "writer").read_text(encoding="utf-8").strip() or "another writer"
    except OSError:
        return "another writer"


_sessions: dict[Path, int] = {}  # warehouse -> depth, for the sessions this process holds
_sessions_lock = threading.Lock()


@contextmanager
def writer_session_turn(
    warehouse: Path, deadline: Deadline, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the warehouse's writing turn for the block, after the writers queued before this
    one; ``on_wait(holder)`` is called once if it has to wait. Raises HeldTooLong when the
    deadline passes first. Re-entrant: within a process already holding it, it returns at once."""
    key = warehouse.absolute()
    with _sessions_lock:
        held = key in _sessions
        if held:
            _sessions[key] += 1
    if held:
        try:
            yield
        finally:
            with _sessions_lock:
                _sessions[key] -= 1
        return
    fds = _take_turn(warehouse, deadline, on_wait or (lambda holder: None))
    with _sessions_lock:
        _sessions[key] = 1
    try:
        yield
    finally:
        with _sessions_lock:
            del _sessions[key]
        for fd in fds:
            os.close(fd)  # releases the lock


def _take_turn(warehouse: Path, deadline: Deadline, on_wait: Callable[[str], None]) -> list[int]:
    """Queue, then take the writer lock; the file descriptors holding it (none without fcntl or
    where the lock files cannot be made: DuckDB's own lock then decides, and says why)."""
    if fcntl is None:
        return []
    if not warehouse.parent.is_dir():
        return []  # a first run: nothing to queue behind, and nothing made before the run can start
    try:
        queue = _open_lock(warehouse, "queue")
    except OSError:
        return []
    try:
        writer = _open_lock(warehouse, "writer")
    except OSError:
        os.close(queue)
        return []
    told = []

    def tell() -> None:
        if not told and deadline.seconds:
            told.append(True)
            on_wait(_holder(warehouse))

    try:
        if not (_take(queue, deadline, tell) and _take(writer, deadline, tell)):
            raise HeldTooLong(_holder(warehouse))
    except BaseException:
        os.close(queue)
        os.close(writer)
        raise
    os.close(queue)  # the next writer in the queue may wait for the turn now
    with suppress(OSError):  # who holds the turn, for a waiting writer's message; a full disk skips it
        os.ftruncate(writer, 0)
        os.pwrite(writer, f"{this_process()}, since {datetime.now():%H:%M:%S}\n".encode(), 0)
    return [writer]
