"""Preparing a large batch of files in worker processes while one writer loads them in order.

Only worth it for a batch (a backlog of past deliveries, a national load): a month's
delivery is always prepared in the run's own process. Workers get a path, the key and the
run date, never a connection, and write nothing: loading order, duplicates and corrections
are decided by the single writer (:mod:`victim_voice.ingestion.loading`).

Example::

    >>> with prepared_ahead(settings, paths, date.today()) as ahead:  # doctest: +SKIP
    ...     prepared = ahead.take(paths[0])
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from victim_voice.delivery.files import parse_delivery_name, sha256_of
from victim_voice.delivery.outcome import DeliveryOutcome
from victim_voice.delivery.preparing import PreparedDelivery, prepare_file, read_landing_file
from victim_voice.delivery.recorded_crime import is_counts_file
from victim_voice.ingestion.child_processes import end_with_parent
from victim_voice.ingestion.loading import seen_before
from victim_voice.protection.pseudonyms import load_pseudonym_key
from victim_voice.settings import Settings
from warehouse.db import open_writer

# Below this much new data, starting worker processes (about a second each) costs more than
# it saves: a month's delivery (about 100 KB) is always prepared in the run's own process.
PARALLEL_MIN_BYTES = 4 * 1024 * 1024


class PreparedAhead:
    """New files being prepared (read, validated, protected) in worker processes, in delivery
    order, at most one per worker ahead of the writer, so memory stays bounded. An empty one
    (no pool) prepares nothing: each file is then read where it is loaded. It holds no key
    (the workers were given it when they started) and no rows until a file is taken."""

    def __init__(
        self,
        pool: ProcessPoolExecutor | None = None,
        paths: Iterable[Path] = (),
        run_date: date | None = None,
        workers: int = 0,
    ) -> None:
        self._pool, self._waiting, self._run_date = pool, deque(paths), run_date
        self._running: dict[Path, Future] = {}
        for _ in range(workers):
            self._submit_next()

    def _submit_next(self) -> None:
        if self._pool and self._waiting:
            path = self._waiting.popleft()
            self._running[path] = self._pool.submit(_prepare_in_worker, path, self._run_date)

    def take(self, path: Path) -> PreparedDelivery | DeliveryOutcome | None:
        """The file prepared by a worker (waiting for it), or None when it was not sent to one."""
        future = self._running.pop(path, None)
        if future is None:
            return None
        self._submit_next()
        return future.result()


def new_files(settings: Settings, paths: list[Path], run_date: date) -> dict[Path, int]:
    """The readable files among ``paths`` not processed before (same name, same bytes), with
    their sizes in bytes. The force's counts files are never sent to a worker (they are small,
    and not the supplier's: :mod:`victim_voice.ingestion.counts_loading` reads them)."""
    fingerprints = {}
    for path in paths:
        if is_counts_file(path.name):
            continue
        data = read_landing_file(path)
        if isinstance(data, bytes):
            fingerprints[path] = (sha256_of(data), len(data))
    with open_writer(settings.warehouse, settings.db_key, settings.wait_seconds) as con:
        return {
            p: size
            for p, (sha, size) in fingerprints.items()
            if not seen_before(con, parse_delivery_name(p.name, run_date=run_date), sha)
        }


def landing_bytes(paths: list[Path]) -> int:
    """The files' sizes added up, from their metadata (a file gone meanwhile counts 0)."""
    total = 0
    for path in paths:
        try:
            total += path.lstat().st_size
        except OSError:
            continue
    return total


_worker_key: bytes = b""  # set once in each worker process by _start_worker


def _start_worker(key: bytes, run_pid: int) -> None:
    """A worker ends with the run that started it, even one killed with SIGKILL (it holds the
    key and would otherwise be left behind), keeps the pseudonymisation key for the files it
    prepares, and leaves Ctrl+C to the run, which stops it (no traceback from each worker)."""
    global _worker_key
    end_with_parent(run_pid)
    _worker_key = key
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _prepare_in_worker(path: Path, run_date: date) -> PreparedDelivery | DeliveryOutcome:
    return prepare_file(path, _worker_key, run_date)


def _stop_now(pool: ProcessPoolExecutor) -> None:
    """Stop the workers at once, mid-file: the run is failing or interrupted, and what they
    prepare would be thrown away (nothing is written until a file is loaded)."""
    kill = getattr(pool, "kill_workers", None)  # Python 3.14 and later
    if kill is not None:
        kill()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())  # before shutdown forgets them
    for process in processes:
        process.kill()  # SIGKILL: a SIGTERM ignored by whatever started the run is inherited
    pool.shutdown(wait=False, cancel_futures=True)


@contextmanager
def prepared_ahead(settings: Settings, paths: list[Path], run_date: date) -> Iterator[PreparedAhead]:
    """Prepare the new files among ``paths`` in up to ``settings.workers`` processes while the
    run loads them one by one, in order. With one worker, fewer than two new files or less
    than PARALLEL_MIN_BYTES of them, nothing starts. A warehouse held by another process for
    longer than the wait (``settings.wait_seconds``) raises WarehouseBusy before any worker
    starts: the run stops there. On an error or Ctrl+C the workers are stopped at once.
    """
    new: dict[Path, int] = {}
    if settings.workers > 1 and len(paths) > 1 and landing_bytes(paths) >= PARALLEL_MIN_BYTES:
        new = new_files(settings, paths, run_date)
    if len(new) < 2 or sum(new.values()) < PARALLEL_MIN_BYTES:
        yield PreparedAhead()  # nothing prepared ahead: each file is read where it is loaded
        return
    workers = min(settings.workers, len(new))
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),  # never fork a process holding threads and a database
        initializer=_start_worker,
        initargs=(load_pseudonym_key(settings), os.getpid()),
    )  # every worker starts in this thread, here (PreparedAhead submits one file per worker): it
    # outlives them, as the parent-death signal needs (it follows the thread that started a child)
    try:
        yield PreparedAhead(pool, list(new), run_date, workers)
    except BaseException:
        _stop_now(pool)
        raise
    pool.shutdown(wait=True, cancel_futures=True)
