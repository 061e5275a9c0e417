"""Retention: delivered files and quarantine details removed once past their time.

The warehouse keeps no raw personal data, so a delivered file is not needed once it is
loaded (or recorded as a duplicate of a loaded file). Rejected files are kept: nothing of
them is in the warehouse and the supplier may need them. Quarantine details (which row failed which
check) are kept for ``days`` and then deleted, leaving the counts in audit.deliveries.

A purge is recorded before anything goes: its row in audit.purges and one row per file in
audit.purged_files (name, SHA-256, why) are committed, with the quarantine details' deletion,
in one transaction; only then are the files removed, each one's row updated as it goes. A
removal that fails leaves its row FAILED (a crash leaves it PENDING), and the next purge
finishes those first.

A file goes only when a verified backup (``victim-voice backup``) holds its delivery: with
the backup and the files processed since, the warehouse can be rebuilt. ``without_backup``
overrides this, and the purge's row says so.

Example::

    >>> purge(Settings.from_env(), older_than_days=90)  # doctest: +SKIP
    PurgeResult(files_removed=12, quarantine_rows_removed=31, finished_earlier=0, purge_id=4)
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
from warehouse.backup import latest_verified_backup, sync_folder
from warehouse.db import StorageFault, first_line, open_writer, transaction


class BackupMissing(Exception):
    """Files past retention are not in a verified backup; the message says what to do."""


@dataclass(frozen=True)
class PurgeResult:
    files_removed: int
    quarantine_rows_removed: int
    finished_earlier: int = 0  # files an earlier purge recorded and could not remove, removed now
    purge_id: int | None = None


@dataclass(frozen=True)
class PlannedRemoval:
    """A landing file past its retention: the bytes recorded, its latest processing, why it goes."""

    path: Path
    sha256: str
    delivery_id: int
    reason: str


MAX_RETENTION_DAYS = 36_500


def files_past_retention(
    con: duckdb.DuckDBPyConnection, landing: Path, cutoff: datetime, older_than_days: int = 0
) -> list[PlannedRemoval]:
    """Well-named delivery files LOADED or DUPLICATE before ``cutoff`` (matched by name and bytes).

    Anything else stays: a rejected file (the supplier may need it), a file never processed,
    a misnamed one (it may not be a delivery at all: notes, a key), a symbolic link.
    """
    processed = storage.files_recorded_before(con, cutoff, [Status.LOADED.value, Status.DUPLICATE.value])
    names = {name for name, _ in processed}
    planned = []
    for path in find_candidate_files(landing):
        sha256 = fingerprint(path) if path.name in names else None
        if (path.name, sha256) in processed:
            delivery_id, status, processed_at = processed[(path.name, sha256)]
            reason = f"{status} on {processed_at:%Y-%m-%d}, past the {older_than_days}-day retention"
            planned.append(PlannedRemoval(path, sha256, delivery_id, reason))
    return planned


def fingerprint(path: Path) -> str | None:
    """A landing file's SHA-256, or None when it cannot be read as a delivery (a link, too large)."""
    try:
        return sha256_of(landing_file_bytes(path))
    except (UnreadableFile, NotAFile):
        return None


def remove_file(path: Path) -> None:
    """Remove one landing file (the single place a purge deletes anything)."""
    path.unlink()


def remove_recorded(
    con: duckdb.DuckDBPyConnection, landing: Path, recorded: list[tuple[int, str, str]]
) -> tuple[int, list[tuple[str, str]]]:
    """Remove the recorded files (purge_id, file name, SHA-256), marking each row as it goes;
    returns how many are gone and (file name, error) of those that failed. A file already gone
    was removed before a crash; a file whose bytes changed is a new delivery under the same
    name and is kept."""
    removed, failed = 0, []
    for purge_id, file_name, sha256 in recorded:
        path = landing / file_name
        if path.exists() and fingerprint(path) != sha256:
            storage.mark_purged_file(con, purge_id, file_name, "KEPT", "the file changed after the purge recorded it")
            continue
        try:
            if path.exists():
                remove_file(path)
        except OSError as error:
            storage.mark_purged_file(con, purge_id, file_name, "FAILED", first_line(error))
            failed.append((file_name, first_line(error)))
        else:
            storage.mark_purged_file(con, purge_id, file_name, "REMOVED")
            removed += 1
    sync_folder(landing)
    return removed, failed


def incomplete_message(landing: Path, failed: list[tuple[str, str]], recorded: int) -> str:
    """What to do when recorded files could not be removed (file names are well-named deliveries)."""
    first_name, first_error = failed[0]
    more = f" and {len(failed) - 1} more" if len(failed) > 1 else ""
    return (
        f"{len(failed)} of {recorded} file(s) recorded for removal could not be removed from {landing} "
        f"({first_name}: {first_error}{more}); audit.purged_files marks them FAILED. Fix the cause (the folder's "
        "permissions, the disk) and run `victim-voice purge` again: it finishes the recorded removals first"
    )


def check_backup_covers(con: duckdb.DuckDBPyConnection, planned: list[PlannedRemoval]) -> None:
    """Raise BackupMissing unless the latest verified backup holds every planned file's delivery."""
    latest = latest_verified_backup(con)
    uncovered = [p for p in planned if latest is None or p.delivery_id > latest[3]]
    if not uncovered:
        return
    if latest is None:
        why = "there is no verified backup of the warehouse"
    else:
        backup_id, created_at = latest[0], latest[1]
        why = (
            f"the latest verified backup ({backup_id}, {created_at:%Y-%m-%d %H:%M}) was made before they were processed"
        )
    raise BackupMissing(
        f"{len(uncovered)} of {len(planned)} delivery file(s) past retention are in no verified backup: {why}, so "
        "without them a lost warehouse could not be rebuilt. Nothing was removed. Run `victim-voice backup --out DIR` "
        "first, or add --without-backup to remove them anyway"
    )


def record_plan(
    con: duckdb.DuckDBPyConnection, settings: Settings, older_than_days: int, cutoff: datetime,
    planned: list[PlannedRemoval], quarantine_rows: int, without_backup: bool,
) -> int:  # fmt: skip
    """Commit the purge's record and delete the old quarantine details, in one transaction,
    before any file is touched; a record that cannot be written stops everything."""
    try:
        with transaction(con):
            purge_id = storage.next_purge_id(con)
            purge = {
                "purge_id": purge_id,
                "older_than_days": older_than_days,
                "quarantine_rows_removed": quarantine_rows,
                "without_backup": without_backup,
            }
            files = [
                {"file_name": p.path.name, "sha256": p.sha256, "delivery_id": p.delivery_id, "reason": p.reason}
                for p in planned
            ]
            storage.record_purge_plan(con, purge, files)
            storage.delete_old_quarantine_rows(con, cutoff)
    except duckdb.Error as error:
        raise StorageFault(
            f"the purge could not be recorded in {settings.warehouse} ({first_line(error)}); nothing was removed. "
            "Free space or fix the warehouse folder's permissions, then run the purge again"
        ) from None
    return purge_id


def purge(settings: Settings, older_than_days: int, dry_run: bool = False, without_backup: bool = False) -> PurgeResult:
    """Finish any earlier purge's recorded removals, then record and remove the processed files
    and quarantine details older than ``older_than_days``. Raises BackupMissing (nothing done)
    when a file is in no verified backup, unless ``without_backup``; StorageFault (the record
    says which) when a file cannot be removed."""
    if not 0 <= older_than_days <= MAX_RETENTION_DAYS:
        raise ConfigurationError(f"--older-than must be from 0 to {MAX_RETENTION_DAYS} days")
    cutoff = datetime.now() - timedelta(days=older_than_days)
    with open_writer(settings.warehouse, settings.db_key, settings.wait_seconds) as con:
        unfinished = storage.unfinished_purge_files(con)
        if unfinished and not settings.landing.is_dir():
            raise ConfigurationError(
                f"an earlier purge recorded {len(unfinished)} file(s) to remove from {settings.landing}, which is not "
                "a folder here; run the purge with the landing folder (--landing)"
            )
        waiting = {name for _, name, _ in unfinished}
        found = (
            files_past_retention(con, settings.landing, cutoff, older_than_days) if settings.landing.is_dir() else []
        )
        planned = [p for p in found if p.path.name not in waiting]
        rows = storage.old_quarantine_rows(con, cutoff)
        if not without_backup:
            check_backup_covers(con, planned)
        if dry_run:
            return PurgeResult(len(planned), rows, len(unfinished))
        finished_earlier, failed = remove_recorded(con, settings.landing, unfinished)
        purge_id = record_plan(con, settings, older_than_days, cutoff, planned, rows, without_backup)
        recorded = [(purge_id, p.path.name, p.sha256) for p in planned]
        removed, failed_now = remove_recorded(con, settings.landing, recorded)
        storage.finish_purges(con, sorted({purge_id, *(earlier for earlier, _, _ in unfinished)}))
    failed += failed_now
    if failed:
        raise StorageFault(incomplete_message(settings.landing, failed, len(unfinished) + len(recorded)))
    return PurgeResult(removed, rows, finished_earlier, purge_id)
