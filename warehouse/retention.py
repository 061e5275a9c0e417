"""Retention: delivered files and quarantine details removed once past their time.

The warehouse keeps no raw personal data, so delivered files are not needed once
processed (loaded, duplicate or rejected); quarantine details (which row failed which
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

from victim_voice.delivery_files import MAX_FILE_BYTES, find_candidate_files, sha256_of
from warehouse.db import open_writer
from warehouse.settings import ConfigurationError, Settings


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
    processed = {
        (name, sha)
        for name, sha in con.execute(
            "select file_name, sha256 from audit.deliveries"
            " where processed_at < ? and status in ('LOADED', 'DUPLICATE') and period is not null",
            [cutoff],
        ).fetchall()
    }
    names = {name for name, _ in processed}
    return [
        path
        for path in find_candidate_files(landing)
        if path.name in names
        and path.is_file()
        and not path.is_symlink()
        and path.lstat().st_size <= MAX_FILE_BYTES
        and (path.name, sha256_of(path.read_bytes())) in processed
    ]


def purge(settings: Settings, older_than_days: int, dry_run: bool = False) -> PurgeResult:
    """Remove processed files and quarantine details older than ``older_than_days``."""
    if not 0 <= older_than_days <= MAX_RETENTION_DAYS:
        raise ConfigurationError(f"--older-than must be from 0 to {MAX_RETENTION_DAYS} days")
    cutoff = datetime.now() - timedelta(days=older_than_days)
    with open_writer(settings.warehouse, settings.db_key) as con:
        files = files_past_retention(con, settings.landing, cutoff) if settings.landing.is_dir() else []
        old_rows = (
            "from audit.quarantine"
            " where delivery_id in (select delivery_id from audit.deliveries where processed_at < ?)"
        )
        [(rows,)] = con.execute(f"select count(*) {old_rows}", [cutoff]).fetchall()
        if dry_run:
            return PurgeResult(len(files), rows)
        for path in files:
            path.unlink()
        con.execute("begin transaction")
        con.execute(f"delete {old_rows}", [cutoff])
        con.execute("insert into audit.purges values (?, ?, ?, ?)", [datetime.now(), older_than_days, len(files), rows])
        con.execute("commit")
    return PurgeResult(len(files), rows)
