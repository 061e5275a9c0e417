"""One ingestion run without Prefect: every new file in the landing folder, in order.

The Prefect flow in ``flows/monthly_ingestion.py`` orchestrates the same steps; this
module holds the plain functions it wraps, so they can be tested without Prefect.

Example::

    >>> outcomes = ingest_landing(Settings.from_env(), run_date=date.today())  # doctest: +SKIP
    >>> [o.status for o in outcomes]  # doctest: +SKIP
    ['LOADED', 'LOADED']
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from pathlib import Path

from victim_voice.delivery_files import find_candidate_files, sha256_of
from warehouse.db import WarehouseBusy, open_writer
from warehouse.loading import (
    DeliveryOutcome,
    PreparedDelivery,
    already_processed,
    ingest_file,
    prepare_file,
    read_landing_file,
)
from warehouse.models import refresh_models
from warehouse.pseudonym import load_pseudonym_key
from warehouse.settings import ConfigurationError, Settings


def check_landing(landing: Path) -> None:
    """The landing folder must exist and be a folder."""
    if landing.exists() and not landing.is_dir():
        raise ConfigurationError(f"the landing folder {landing} is a file, not a folder")
    if not landing.is_dir():
        raise ConfigurationError(f"the landing folder {landing} does not exist (set --landing or VICTIM_VOICE_LANDING)")


def check_warehouse_writable(settings: Settings) -> None:
    """Open and close the warehouse once, so a bad path or a running ingestion is reported
    before any work starts (raises ConfigurationError or WarehouseBusy)."""
    with open_writer(settings.warehouse, settings.db_key):
        pass


# Below this much new data, starting worker processes (about a second each) costs more than
# it saves: a month's delivery (about 100 KB) is always prepared in the run's own process.
PARALLEL_MIN_BYTES = 4 * 1024 * 1024


class PreparedAhead:
    """New files being prepared (read, validated, protected) in worker processes, in delivery
    order, at most one per worker ahead of the writer, so memory stays bounded."""

    def __init__(
        self,
        pool: ProcessPoolExecutor | None = None,
        paths: Iterable[Path] = (),
        key: bytes = b"",
        run_date: date | None = None,
        workers: int = 0,
    ) -> None:
        self._pool, self._waiting, self._key, self._run_date = pool, deque(paths), key, run_date
        self._running: dict[Path, Future] = {}
        for _ in range(workers):
            self._submit_next()

    def _submit_next(self) -> None:
        if self._pool and self._waiting:
            path = self._waiting.popleft()
            self._running[path] = self._pool.submit(prepare_file, path, self._key, self._run_date)

    def take(self, path: Path) -> PreparedDelivery | DeliveryOutcome | None:
        """The file prepared by a worker (waiting for it), or None when it was not sent to one."""
        future = self._running.pop(path, None)
        if future is None:
            return None
        self._submit_next()
        return future.result()


def new_files(settings: Settings, paths: list[Path]) -> dict[Path, int]:
    """The readable files among ``paths`` not processed before (same name, same bytes), with
    their sizes in bytes."""
    fingerprints = {}
    for path in paths:
        data = read_landing_file(path)
        if not isinstance(data, DeliveryOutcome):
            fingerprints[path] = (sha256_of(data), len(data))
    with open_writer(settings.warehouse, settings.db_key) as con:
        return {p: size for p, (sha, size) in fingerprints.items() if not already_processed(con, p.name, sha)}


def landing_bytes(paths: list[Path]) -> int:
    """The files' sizes added up, from their metadata (a file gone meanwhile counts 0)."""
    total = 0
    for path in paths:
        try:
            total += path.lstat().st_size
        except OSError:
            continue
    return total


def _ignore_interrupts() -> None:
    """Workers leave Ctrl+C to the run, which stops them (no traceback from each worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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
    run loads them one by one, in order. Only worth it for a batch (a backlog of past
    deliveries, a national load): with one worker, fewer than two new files or less than
    PARALLEL_MIN_BYTES of them, nothing starts; nor when the warehouse is busy (the run's
    own retries then apply, file by file).

    Workers get the file paths, the key and the date, never a connection: the warehouse
    keeps its single writer, and loading order, duplicates and corrections are decided there.
    On an error or Ctrl+C the workers are stopped at once.
    """
    new: dict[Path, int] = {}
    if settings.workers > 1 and len(paths) > 1 and landing_bytes(paths) >= PARALLEL_MIN_BYTES:
        try:
            new = new_files(settings, paths)
        except WarehouseBusy:
            new = {}
    if len(new) < 2 or sum(new.values()) < PARALLEL_MIN_BYTES:
        yield PreparedAhead()  # nothing prepared ahead: each file is read where it is loaded
        return
    workers = min(settings.workers, len(new))
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),  # never fork a process holding threads and a database
        initializer=_ignore_interrupts,
    )
    try:
        yield PreparedAhead(pool, list(new), load_pseudonym_key(settings), run_date, workers)
    except BaseException:
        _stop_now(pool)
        raise
    pool.shutdown(wait=True, cancel_futures=True)


# The preparation of the current flow run, for its tasks (Prefect passes them no rows).
_CURRENT: ContextVar[PreparedAhead | None] = ContextVar("prepared_ahead", default=None)


@contextmanager
def preparing_ahead(settings: Settings, paths: list[Path], run_date: date) -> Iterator[None]:
    """:func:`prepared_ahead`, made available to :func:`current_preparation` meanwhile."""
    with prepared_ahead(settings, paths, run_date) as ahead:
        token = _CURRENT.set(ahead)
        try:
            yield
        finally:
            _CURRENT.reset(token)


def current_preparation() -> PreparedAhead | None:
    """The files being prepared for this run (:func:`preparing_ahead`), if any."""
    return _CURRENT.get()


def ingest_one(
    settings: Settings, path: Path, run_date: date, ahead: PreparedAhead | None = None
) -> DeliveryOutcome | None:
    """Open the warehouse, process one file, close. None when the file was seen before.

    With ``ahead``, a file a worker prepared is taken from it (before the warehouse is
    opened, so waiting for a worker never holds the writer's lock)."""
    key = load_pseudonym_key(settings)
    prepared = ahead.take(path) if ahead else None
    with open_writer(settings.warehouse, settings.db_key) as con:
        return ingest_file(con, path, key, run_date, prepared)


def refresh_metrics(settings: Settings) -> list[str]:
    """Rebuild the staging, intermediate and mart models (metrics, views) from the loaded data."""
    with open_writer(settings.warehouse, settings.db_key) as con:
        return refresh_models(con)


def ingest_landing(settings: Settings, run_date: date) -> list[DeliveryOutcome]:
    """Process every file of the landing folder not processed before, in delivery order,
    then refresh the metrics. A large batch is prepared in worker processes meanwhile."""
    check_landing(settings.landing)
    load_pseudonym_key(settings)  # fail before touching anything if the key is unusable
    paths = find_candidate_files(settings.landing, settings.settle_seconds)
    with prepared_ahead(settings, paths, run_date) as ahead:
        outcomes = [ingest_one(settings, path, run_date, ahead) for path in paths]
    refresh_metrics(settings)
    return [o for o in outcomes if o is not None]
