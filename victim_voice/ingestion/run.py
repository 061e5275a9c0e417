"""One ingestion run: every new file in the landing folder, in order, then the metrics.

:func:`ingest_landing` is the run's sequence, written once. Called plainly it runs each
step directly; the Prefect flow (``flows/monthly_ingestion.py``) calls the same function
with its tasks as the steps (:class:`RunSteps`), so the two cannot drift apart.

Example::

    >>> outcomes = ingest_landing(Settings.from_env(), run_date=date.today())  # doctest: +SKIP
    >>> [o.status for o in outcomes]  # doctest: +SKIP
    [<Status.LOADED: 'LOADED'>, <Status.LOADED: 'LOADED'>]
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from victim_voice.delivery.files import find_candidate_files
from victim_voice.delivery.outcome import DeliveryOutcome
from victim_voice.delivery.recorded_crime import is_counts_file
from victim_voice.ingestion.counts_loading import ingest_counts_file
from victim_voice.ingestion.loading import ingest_file
from victim_voice.ingestion.parallel import PreparedAhead, prepared_ahead
from victim_voice.protection.pseudonyms import load_pseudonym_key
from victim_voice.settings import ConfigurationError, Settings
from warehouse.db import StorageFault, WarehouseBusy, open_writer, typed_fault, writer_session
from warehouse.models import refresh_metrics


def check_landing(landing: Path) -> None:
    """The landing folder must exist, be a folder and be readable (raises ConfigurationError,
    or StorageFault when it cannot be read: checked before the warehouse is opened, so a run
    that cannot start creates nothing)."""
    if landing.exists() and not landing.is_dir():
        raise ConfigurationError(f"the landing folder {landing} is a file, not a folder")
    if not landing.is_dir():
        raise ConfigurationError(f"the landing folder {landing} does not exist (set --landing or VICTIM_VOICE_LANDING)")
    try:
        with os.scandir(landing) as entries:
            next(entries, None)
    except OSError as error:
        raise folder_fault(error, landing, "cannot read the landing folder: ") from None


def folder_fault(error: OSError, folder: Path, context: str = "") -> Exception:
    """An OS error met in ``folder`` as its StorageFault, naming the folder (the error itself
    unchanged when it is no storage fault)."""
    fault = typed_fault(OSError(error.errno, error.strerror, str(folder)))
    return StorageFault(f"{context}{fault}") if fault is not None else error


def check_warehouse_writable(settings: Settings, on_wait: Callable[[str], None] | None = None) -> None:
    """Write a probe beside the warehouse, then open and close it once, so a read-only or
    full folder, a damaged file or a bad path is reported before any work starts, and a
    process holding the warehouse is waited for (up to ``settings.wait_seconds``; ``on_wait(holder)``
    once); raises StorageFault, WarehouseDamaged, ConfigurationError or WarehouseBusy."""
    folder = settings.warehouse.parent
    if folder.is_dir():
        probe_writable(folder)
    with open_writer(settings.warehouse, settings.db_key, settings.wait_seconds, on_wait):
        pass


PROBE_BYTES = 4096


def probe_writable(folder: Path) -> None:
    """Write and sync a few bytes in ``folder`` in an unnamed temporary file (nothing is left
    behind): raises StorageFault, naming the folder, when it is read-only, not writable or its
    disk full."""
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".victim-voice-probe-") as probe:
            probe.write(b"\0" * PROBE_BYTES)
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as error:
        raise folder_fault(error, folder) from None


def check_can_start(settings: Settings) -> None:
    """What must hold before a run touches anything: the landing folder exists and the key is
    usable (raises ConfigurationError)."""
    check_landing(settings.landing)
    load_pseudonym_key(settings)  # a missing or weak key stops the run before any file


def ingest_one(settings: Settings, path: Path, run_date: date, ahead: PreparedAhead) -> DeliveryOutcome | None:
    """Open the warehouse, process one file, close. None when the file was seen before.

    A file a worker prepared is taken from ``ahead`` before the warehouse is opened, so
    waiting for a worker never holds the writer's lock. The force's counts files
    (``RecordedCrime_…``) are loaded by their own rules, each in its own transaction, so a
    broken one never stops the supplier's deliveries."""
    if is_counts_file(path.name):
        with open_writer(settings.warehouse, settings.db_key, settings.wait_seconds) as con:
            return ingest_counts_file(con, path, run_date)
    key = load_pseudonym_key(settings)
    prepared = ahead.take(path)
    with open_writer(settings.warehouse, settings.db_key, settings.wait_seconds) as con:
        return ingest_file(con, path, key, run_date, prepared)


def nothing_to_say(settings: Settings, paths: list[Path]) -> None:
    """The plain run announces nothing (the flow logs the files it found)."""


def refresh_if_behind(settings: Settings) -> list[str]:
    """Refresh the metrics unless the last refresh already covers every load: a run with no
    new file still refreshes when an earlier run loaded files and died before its refresh."""
    return refresh_metrics(settings, only_if_behind=True)


@dataclass(frozen=True)
class RunSteps:
    """How the run's steps are called: directly (the default), or as Prefect tasks."""

    found: Callable[[Settings, list[Path]], None] = nothing_to_say
    ingest: Callable[[Settings, Path, date, PreparedAhead], DeliveryOutcome | None] = ingest_one
    refresh: Callable[[Settings], list[str]] = refresh_if_behind


class RunStopped(WarehouseBusy):
    """Another process held the warehouse for longer than the wait, so the run stopped: the
    files before were processed (``outcomes``), the rest are left for the next run (``left``),
    and the metrics were not refreshed (readers see the previous refresh; the next run
    refreshes them)."""

    def __init__(self, busy: WarehouseBusy, outcomes: list[DeliveryOutcome], left: list[str]) -> None:
        super().__init__(str(busy), busy.holder)
        self.outcomes, self.left = outcomes, left


def ingest_landing(settings: Settings, run_date: date, steps: RunSteps = RunSteps()) -> list[DeliveryOutcome]:
    """Process every file of the landing folder not processed before, in delivery order,
    then refresh the metrics (when the loads are ahead of them); returns the new files'
    outcomes. A large batch is prepared in worker processes meanwhile.

    The run holds the warehouse's writing turn throughout (no other writer between its files),
    waiting up to ``settings.wait_seconds`` for it and for each opening; when a wait runs out
    it stops with RunStopped, saying what it did and what it left."""
    check_can_start(settings)
    paths = find_candidate_files(settings.landing, settings.settle_seconds, run_date)
    steps.found(settings, paths)
    outcomes: list[DeliveryOutcome | None] = []
    try:
        with writer_session(settings.warehouse, settings.wait_seconds):
            with prepared_ahead(settings, paths, run_date) as ahead:
                for path in paths:
                    outcomes.append(steps.ingest(settings, path, run_date, ahead))
            steps.refresh(settings)
    except WarehouseBusy as busy:
        done = [o for o in outcomes if o is not None]
        raise RunStopped(busy, done, [p.name for p in paths[len(outcomes) :]]) from None
    return [o for o in outcomes if o is not None]
