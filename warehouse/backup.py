"""Backups of the warehouse, checked, and restoring one.

A backup is a folder ``warehouse-backup-<YYYYmmdd-HHMMSS>-<id>/`` holding

- ``warehouse.duckdb``: a copy written by DuckDB's ``COPY FROM DATABASE`` while this process
  holds the writer's lock (no run can change the warehouse meanwhile). It is compact: rows a
  purge deleted are not carried into it, as they would be in a copy of the file's bytes. When
  the warehouse is encrypted the copy is attached with the same key and is checked to be
  unreadable without it: a plain copy of an encrypted warehouse is never left behind;
- ``manifest.json``: the copy's size and SHA-256, when and from where it was made, the
  application and DuckDB versions, whether it is encrypted, every table with its row count
  and every view;
- ``manifest.json.sha256``: the manifest's own checksum (``sha256sum -c`` reads it).

The warehouse records each backup in ``audit.backups`` before the copy is made, so the copy
holds its own row, and the manifest's id and time must match that row: the backup, its
manifest and the warehouse's record agree, or the check fails.

Example::

    >>> made = backup_warehouse(Path("data/warehouse.duckdb"), Path("/mnt/backups"))  # doctest: +SKIP
    >>> verify_backup(made.folder)["tables"]["core.response_versions"]  # doctest: +SKIP
    2078
    >>> restore_warehouse(made.folder, Path("data/warehouse.duckdb")).set_aside  # doctest: +SKIP
    PosixPath('data/warehouse.duckdb.before-restore-20250103-093000')
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

import duckdb

from victim_voice.settings import ConfigurationError

try:
    import fcntl
except ImportError:  # Windows: no POSIX locks (see warehouse_lock)
    fcntl = None
from warehouse.db import (
    StorageFault,
    WarehouseBusy,
    WarehouseMissing,
    connect,
    first_line,
    open_writer,
    transaction,
)

FORMAT = "victim-voice-backup/1"
COPY_NAME = "warehouse.duckdb"
MANIFEST = "manifest.json"
MANIFEST_CHECKSUM = "manifest.json.sha256"


class BackupInvalid(Exception):
    """A backup failed its check (a checksum, the manifest, the row counts): nothing was restored."""


@dataclass(frozen=True)
class BackupResult:
    folder: Path
    backup_id: int
    size_bytes: int
    sha256: str


@dataclass(frozen=True)
class RestoreResult:
    warehouse: Path
    backup_id: int
    set_aside: Path | None  # the warehouse the backup replaced, kept; None when there was none


# --------------------------------------------------------------------------- files


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB pieces."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while piece := handle.read(1 << 20):
            digest.update(piece)
    return digest.hexdigest()


def sync_file(path: Path) -> None:
    """Flush a file's bytes to the disk."""
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def sync_folder(folder: Path) -> None:
    """Make the names created or renamed in ``folder`` durable (where folders can be synced)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def write_durably(path: Path, text: str) -> None:
    """Write a small text file beside its final name, flush it, then rename it into place."""
    partial = path.with_name(path.name + ".part")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)


def copy_durably(source: Path, target: Path) -> None:
    """Copy a file to a new name (never over an existing one) and flush it to the disk."""
    with source.open("rb") as reader, target.open("xb") as writer:
        shutil.copyfileobj(reader, writer, 1 << 20)
        writer.flush()
        os.fsync(writer.fileno())


def keep_aside(path: Path, aside: Path) -> None:
    """Keep ``path`` (and its write-ahead log) under the name ``aside``: a hard link where the
    disk allows one (instant, no copy), else a copy. The log is moved off ``path`` so that it
    can never be replayed into the file that replaces it."""
    for source, target in ((path, aside), (wal_of(path), wal_of(aside))):
        if not source.exists():
            continue
        try:
            os.link(source, target)
        except OSError:
            copy_durably(source, target)
    if wal_of(path).exists():
        wal_of(path).unlink()
    sync_folder(path.parent)


def wal_of(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


@contextmanager
def warehouse_lock(path: Path) -> Iterator[None]:
    """Hold the lock DuckDB itself takes on the warehouse file, without opening it as a
    database (it may be damaged: that is when a restore is needed). A run or a reader
    holding the warehouse makes this raise WarehouseBusy; while held, no run can open it.
    Nothing in this process may open the same file with DuckDB meanwhile (closing that
    connection would release this POSIX lock).

    Without POSIX locks (Windows) the warehouse is opened once to see whether a run holds it;
    there the rename of a file another process has open fails, and says so."""
    if fcntl is None:
        try:
            duckdb.connect(str(path)).close()
        except duckdb.IOException as error:
            if "lock" in str(error).lower():
                raise WarehouseBusy(f"the warehouse {path} is in use by another process; try again later") from None
        except duckdb.Error:
            pass  # damaged: nothing can be holding it open as a warehouse
        yield
        return
    descriptor = os.open(path, os.O_RDWR)
    try:
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise WarehouseBusy(f"the warehouse {path} is in use by another process; try again later") from None
        yield
    finally:
        os.close(descriptor)


# --------------------------------------------------------------------------- the warehouse's side


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def quote_name(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Every table of the connection's database with its row count, by ``schema.table``."""
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables()"
        " where database_name = current_database() and not temporary order by all"
    ).fetchall()
    counts = {}
    for schema, table in tables:
        [(rows,)] = con.execute(f"select count(*) from {quote_name(schema)}.{quote_name(table)}").fetchall()
        counts[f"{schema}.{table}"] = rows
    return counts


def view_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every view of the connection's database, as ``schema.view``."""
    views = con.execute(
        "select schema_name || '.' || view_name from duckdb_views()"
        " where database_name = current_database() and not internal and not temporary order by all"
    ).fetchall()
    return [name for (name,) in views]


def latest_verified_backup(con: duckdb.DuckDBPyConnection) -> tuple[int, datetime, str, int] | None:
    """(backup_id, created_at, path, deliveries_up_to) of the latest verified backup, if any."""
    found = con.execute(
        "select backup_id, created_at, path, deliveries_up_to from audit.backups"
        " where verified order by created_at desc, backup_id desc limit 1"
    ).fetchall()
    return found[0] if found else None


def copy_database(con: duckdb.DuckDBPyConnection, target: Path, db_key: str | None) -> None:
    """Write the connection's database into a new DuckDB file (encrypted with ``db_key``)."""
    source = con.execute("select current_database()").fetchall()[0][0]
    options = f" (encryption_key {quote_literal(db_key)})" if db_key else ""
    try:
        con.execute(f"attach {quote_literal(str(target))} as backup_copy{options}")
        try:
            con.execute(f"copy from database {quote_name(source)} to backup_copy")
        finally:
            con.execute("detach backup_copy")
    except duckdb.Error as error:  # never echo the statement: it may hold the key
        detail = type(error).__name__ if db_key else first_line(error)
        raise StorageFault(f"the backup could not be written to {target.parent} ({detail}); nothing was kept") from None


def readable_without_key(path: Path) -> bool:
    """Whether DuckDB opens the file with no key (a plain, unencrypted database)."""
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.Error:
        return False
    return True


def app_version() -> str:
    try:
        return metadata.version("victim-voice")
    except metadata.PackageNotFoundError:
        return "unknown"


# --------------------------------------------------------------------------- backup


def backup_folder_name(created_at: datetime, backup_id: int) -> str:
    """
    >>> backup_folder_name(datetime(2025, 1, 3, 9, 30, 5), 4)
    'warehouse-backup-20250103-093005-4'
    """
    return f"warehouse-backup-{created_at:%Y%m%d-%H%M%S}-{backup_id}"


def write_copy(con: duckdb.DuckDBPyConnection, folder: Path, db_key: str | None) -> Path:
    """The warehouse copied into ``folder``, flushed, renamed into place; never plain when the
    warehouse is encrypted."""
    partial = folder / (COPY_NAME + ".part")
    copy_database(con, partial, db_key)
    if wal_of(partial).exists():
        raise StorageFault(f"DuckDB left a write-ahead log beside the backup in {folder}; nothing was kept")
    if db_key and readable_without_key(partial):
        raise StorageFault("DuckDB wrote a plain copy of the encrypted warehouse; it was removed, nothing was kept")
    sync_file(partial)
    copy = partial.replace(folder / COPY_NAME)
    sync_folder(folder)
    return copy


def build_manifest(
    con: duckdb.DuckDBPyConnection, warehouse: Path, copy: Path, row: dict[str, object], encrypted: bool
) -> dict[str, object]:
    """What the backup is, what it holds and how to check it."""
    return {
        "format": FORMAT,
        "backup_id": row["backup_id"],
        "created_at": row["created_at"].isoformat(),
        "warehouse": str(warehouse.resolve()),
        "app_version": app_version(),
        "duckdb_version": duckdb.__version__,
        "encrypted": encrypted,
        "deliveries_up_to": row["deliveries_up_to"],
        "files": [{"name": copy.name, "size": copy.stat().st_size, "sha256": sha256_file(copy)}],
        "tables": table_counts(con),
        "views": view_names(con),
    }


def write_manifest(folder: Path, manifest: dict[str, object]) -> str:
    """manifest.json and manifest.json.sha256 (as ``sha256sum`` writes it); returns the checksum."""
    write_durably(folder / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    checksum = sha256_file(folder / MANIFEST)
    write_durably(folder / MANIFEST_CHECKSUM, f"{checksum}  {MANIFEST}\n")
    sync_folder(folder)
    return checksum


def record_backup(con: duckdb.DuckDBPyConnection, row: dict[str, object]) -> None:
    with transaction(con):
        con.execute(
            f"insert into audit.backups ({', '.join(row)}) values ({', '.join('?' * len(row))})", list(row.values())
        )


def start_backup(con: duckdb.DuckDBPyConnection, out: Path) -> tuple[dict[str, object], Path]:
    """Make the backup's folder and record the backup (not yet verified) in the warehouse, so
    that the copy holds its own row."""
    backup_id = con.execute("select coalesce(max(backup_id), 0) + 1 from audit.backups").fetchall()[0][0]
    created_at = datetime.now()
    try:
        out.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder = out / backup_folder_name(created_at, backup_id)
        folder.mkdir(mode=0o700)
    except OSError as error:
        raise StorageFault(
            f"cannot make the backup folder in {out} ({first_line(error)}); nothing was written"
        ) from None
    deliveries_up_to = con.execute("select coalesce(max(delivery_id), 0) from audit.deliveries").fetchall()[0][0]
    row = {
        "backup_id": backup_id,
        "created_at": created_at,
        "path": str(folder.resolve()),
        "deliveries_up_to": deliveries_up_to,
        "verified": False,
    }
    record_backup(con, row)
    return row, folder


def backup_warehouse(warehouse: Path, out: Path, db_key: str | None = None, wait_seconds: float = 0.0) -> BackupResult:
    """Copy the warehouse into a new folder under ``out``, write its manifest, check it as a
    restore would, and record it as verified; raises WarehouseBusy while a run holds the
    warehouse, BackupInvalid when the copy fails its check (the folder is then removed)."""
    if not warehouse.exists():
        raise WarehouseMissing(f"no warehouse at {warehouse}")
    with open_writer(warehouse, db_key, wait_seconds) as con:  # after the writers queued before it
        row, folder = start_backup(con, out)
        try:
            copy = write_copy(con, folder, db_key)
            manifest = build_manifest(con, warehouse, copy, row, encrypted=bool(db_key))
            manifest_sha256 = write_manifest(folder, manifest)
            verify_backup(folder, db_key)
        except BaseException as error:
            shutil.rmtree(folder, ignore_errors=True)
            con.execute(
                "update audit.backups set note = ? where backup_id = ?",
                [f"failed, removed: {type(error).__name__}", row["backup_id"]],
            )
            if isinstance(error, BackupInvalid):
                raise BackupInvalid(f"{error}; the new backup was removed") from None
            raise
        [copied] = manifest["files"]
        con.execute(
            "update audit.backups set verified = true, sha256 = ?, size_bytes = ?, manifest_sha256 = ?,"
            " verified_at = ? where backup_id = ?",
            [copied["sha256"], copied["size"], manifest_sha256, datetime.now(), row["backup_id"]],
        )
    return BackupResult(folder, row["backup_id"], copied["size"], copied["sha256"])


# --------------------------------------------------------------------------- verify


def read_manifest(folder: Path) -> dict:
    """The backup's manifest, after its own checksum; BackupInvalid when either is missing or
    they disagree (the manifest was edited or damaged)."""
    if not folder.is_dir():
        raise BackupInvalid(f"{folder} is not a backup folder")
    for name in (MANIFEST, MANIFEST_CHECKSUM):
        if not (folder / name).is_file():
            raise BackupInvalid(f"{folder} has no {name}")
    expected = (folder / MANIFEST_CHECKSUM).read_text(encoding="utf-8").split()[:1]
    if expected != [sha256_file(folder / MANIFEST)]:
        raise BackupInvalid(f"{MANIFEST} does not match {MANIFEST_CHECKSUM} in {folder}: it was edited or damaged")
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BackupInvalid(f"{MANIFEST} in {folder} is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupInvalid(f"{MANIFEST} in {folder} is not a {FORMAT} manifest")
    expected_types = {"backup_id": int, "created_at": str, "deliveries_up_to": int, "encrypted": bool}
    expected_types |= {"files": list, "tables": dict, "views": list}
    missing = [key for key, kind in expected_types.items() if not isinstance(manifest.get(key), kind)]
    try:
        datetime.fromisoformat(manifest.get("created_at") or "")
    except ValueError:
        missing.append("created_at")
    if missing:
        raise BackupInvalid(f"{MANIFEST} in {folder} lacks a valid {', '.join(missing)}")
    return manifest


def check_files(folder: Path, manifest: dict) -> None:
    """Every file the manifest lists is there, with its size and SHA-256."""
    files = manifest["files"]
    if [f.get("name") if isinstance(f, dict) else None for f in files] != [COPY_NAME]:
        raise BackupInvalid(f"{MANIFEST} in {folder} does not list the warehouse copy {COPY_NAME}")
    for listed in files:
        path = folder / listed["name"]
        if not path.is_file():
            raise BackupInvalid(f"{path} is missing")
        if path.stat().st_size != listed.get("size") or sha256_file(path) != listed.get("sha256"):
            raise BackupInvalid(f"{path} does not match its checksum in {MANIFEST}: the copy is damaged or was changed")


def check_contents(copy: Path, manifest: dict, db_key: str | None) -> None:
    """The copy opens (with the key when it is encrypted) and holds what the manifest says:
    every table with its row count, every view, and its own audit.backups row."""
    if manifest.get("encrypted") and not db_key:
        raise ConfigurationError(
            f"the backup {copy.parent} is encrypted: set VICTIM_VOICE_DB_KEY to the key of the warehouse it was "
            "made from"
        )
    try:
        con = connect(copy, read_only=True, db_key=db_key if manifest.get("encrypted") else None)
    except (duckdb.Error, ConfigurationError) as error:
        raise BackupInvalid(f"{copy} cannot be opened as the warehouse ({first_line(error)})") from None
    try:
        tables, views = table_counts(con), view_names(con)
        own = con.execute(
            "select created_at, deliveries_up_to from audit.backups where backup_id = ?", [manifest.get("backup_id")]
        ).fetchall()
    except duckdb.Error as error:
        raise BackupInvalid(f"{copy} cannot be read as the warehouse ({first_line(error)})") from None
    finally:
        con.close()
    listed = manifest["tables"]
    differences = [
        f"{name}: {tables.get(name)} rows, the manifest says {rows}"
        for name, rows in listed.items()
        if tables.get(name) != rows
    ]
    differences += [f"{name}: a table the manifest does not list" for name in tables if name not in listed]
    differences += [f"{name}: views differ from the manifest" for name in sorted(set(views) ^ set(manifest["views"]))]
    if own != [(datetime.fromisoformat(manifest["created_at"]), manifest.get("deliveries_up_to"))]:
        differences.append("the copy's own audit.backups row does not match the manifest's backup_id and created_at")
    if differences:
        raise BackupInvalid(f"{copy} does not hold what {MANIFEST} says: {'; '.join(differences[:3])}")


def verify_backup(folder: Path, db_key: str | None = None) -> dict:
    """Check a backup without restoring it: the manifest against its checksum, the copy against
    the manifest's size and SHA-256, then the copy's tables, views and own record against the
    manifest. Returns the manifest; raises BackupInvalid naming the first problem."""
    manifest = read_manifest(folder)
    check_files(folder, manifest)
    check_contents(folder / COPY_NAME, manifest, db_key)
    return manifest


# --------------------------------------------------------------------------- restore


def stage_copy(folder: Path, manifest: dict, staged: Path, db_key: str | None) -> None:
    """Copy the backup beside the warehouse under a temporary name, flushed, and check that
    copy again (it is the file that will be renamed into place)."""
    copy_durably(folder / COPY_NAME, staged)
    [listed] = manifest["files"]
    if sha256_file(staged) != listed["sha256"]:
        raise BackupInvalid(f"the copy of {folder / COPY_NAME} beside the warehouse does not match its checksum")
    check_contents(staged, manifest, db_key)


def record_restore(con: duckdb.DuckDBPyConnection, folder: Path, manifest: dict, set_aside: Path | None) -> None:
    """Mark the restored backup verified in its own row and record the restore."""
    [listed] = manifest["files"]
    with transaction(con):
        con.execute(
            "update audit.backups set verified = true, sha256 = ?, size_bytes = ?, manifest_sha256 = ?,"
            " verified_at = ? where backup_id = ?",
            [listed["sha256"], listed["size"], sha256_file(folder / MANIFEST), datetime.now(), manifest["backup_id"]],
        )
        con.execute(
            "insert into audit.restores values (?, ?, ?, ?, ?)",
            [
                datetime.now(),
                manifest["backup_id"],
                str(folder.resolve()),
                datetime.fromisoformat(manifest["created_at"]),
                str(set_aside) if set_aside else None,
            ],
        )


def restore_warehouse(
    folder: Path, warehouse: Path, db_key: str | None = None, now: datetime | None = None
) -> RestoreResult:
    """Verify the backup (BackupInvalid: nothing changed), then, holding the warehouse's lock
    (WarehouseBusy while a run or reader has it), copy it beside the warehouse, check it,
    keep the current warehouse aside as ``<name>.before-restore-<time>`` and rename the copy
    into place; then check the restored warehouse opens with the manifest's row counts and
    record the restore in it."""
    try:
        manifest = verify_backup(folder, db_key)
    except BackupInvalid as error:
        raise BackupInvalid(f"{error}; nothing was restored") from None
    if db_key and not manifest.get("encrypted"):
        raise ConfigurationError(
            f"the backup {folder} is not encrypted but VICTIM_VOICE_DB_KEY is set: restoring it would leave a plain "
            "warehouse where an encrypted one is expected; nothing was changed"
        )
    stamp = f"{now or datetime.now():%Y%m%d-%H%M%S}"
    staged = warehouse.with_name(f"{warehouse.name}.restoring-{stamp}")
    aside = warehouse.with_name(f"{warehouse.name}.before-restore-{stamp}")
    set_aside = None
    try:
        warehouse.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with warehouse_lock(warehouse) if warehouse.exists() else nullcontext():
            try:
                try:
                    stage_copy(folder, manifest, staged, db_key)
                except BackupInvalid as error:
                    raise BackupInvalid(f"{error}; nothing was restored") from None
                if warehouse.exists():
                    keep_aside(warehouse, aside)
                    set_aside = aside
                staged.replace(warehouse)
                sync_folder(warehouse.parent)
            finally:
                staged.unlink(missing_ok=True)
    except OSError as error:
        kept = f"; the previous warehouse is kept at {set_aside}" if set_aside else "; nothing was changed"
        raise StorageFault(f"the restore into {warehouse.parent} failed ({first_line(error)}){kept}") from None
    with open_writer(warehouse, db_key) as con:
        counts = table_counts(con)
        if any(counts.get(name) != rows for name, rows in manifest["tables"].items()):
            raise BackupInvalid(
                f"the restored warehouse {warehouse} does not hold the manifest's row counts; the previous "
                f"warehouse is kept at {set_aside}: move it back"
            )
        record_restore(con, folder, manifest, set_aside)
    return RestoreResult(warehouse, manifest["backup_id"], set_aside)
