"""Retention: delivered files and quarantine details removed once past their time.

The warehouse keeps no raw personal data, so a delivered file is not needed once it is
loaded (or recorded as a duplicate of a loaded file). Rejected files are kept: nothing of
them is in the warehouse and the supplier may need them. Quarantine details (which row failed which
check) are kept for ``days`` and then deleted, leaving the counts in audit.deliveries.
Every purge is recorded in audit.purges.

Example::

    >>> purge(Settings.from_env(), older_than_days=90)  # doctest: +SKIP
    PurgeResult(files_removed=12, quarantine_rows_removed=31)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from victim_voice.delivery.files import NotAFile, UnreadableFile, find_candidate_files, landing_file_bytes, sha256_of
from victim_voice.delivery.outcome import Status
from victim_voice.settings import ConfigurationError, Settings
from warehouse import storage
from warehouse.db import open_writer, transaction


@dataclass(frozen=True)
class PurgeResult:
    files_removed: int
    quarantine_rows_removed: int


MAX_RETENTION_DAYS = 36_500


def files_past_retention(con: duckdb.DuckDBPyConnection, landing: Path, cutoff: datetime) -> list[Path]:
    """Well-named delivery files LOADED or DUPLICATE before ``cutoff`` (matched by name and bytes).

    Anything else stays: a rejected file (the supplier may need it), a file never processed,
    a misnamed one (it may not be a delivery at all: notes, a key), a symbolic link.
    """
    processed = storage.files_recorded_before(con, cutoff, [Status.LOADED.value, Status.DUPLICATE.value])
    names = {name for name, _ in processed}
    return [
        path
        for path in find_candidate_files(landing)
        if path.name in names and (path.name, fingerprint(path)) in processed
    ]


def fingerprint(path: Path) -> str | None:
    """A landing file's SHA-256, or None when it cannot be read as a delivery (a link, a folder,
    too large)."""
    try:
        return sha256_of(landing_file_bytes(path))
    except (UnreadableFile, NotAFile):
        return None


def purge(settings: Settings, older_than_days: int, dry_run: bool = False) -> PurgeResult:
    """Remove processed files and quarantine details older than ``older_than_days``."""
    if not 0 <= older_than_days <= MAX_RETENTION_DAYS:
        raise ConfigurationError(f"--older-than must be from 0 to {MAX_RETENTION_DAYS} days")
    cutoff = datetime.now() - timedelta(days=older_than_days)
    with open_writer(settings.warehouse, settings.db_key) as con:
        files = files_past_retention(con, settings.landing, cutoff) if settings.landing.is_dir() else []
        rows = storage.old_quarantine_rows(con, cutoff)
        if dry_run:
            return PurgeResult(len(files), rows)
        with transaction(con):  # recorded before any file goes: a full disk here removes nothing
            storage.delete_old_quarantine_rows(con, cutoff)
            storage.record_purge(con, older_than_days, len(files), rows)
        for path in files:
            path.unlink()
    return PurgeResult(len(files), rows)
