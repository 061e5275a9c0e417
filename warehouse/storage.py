"""The storage tables ingestion writes and checks: ``audit.deliveries``, ``audit.quarantine``,
``core.response_versions``, ``audit.purges`` and ``audit.purged_files``, as plain rows and values; and
``audit.comment_approvals``, the reviewers' decisions on comments that may leave the warehouse.

Statements on a connection; the caller decides the transaction
(:func:`warehouse.db.transaction`), so a file and its audit rows land together. What the
rows mean (file names, statuses, outcomes) is decided by the callers in
``victim_voice/ingestion``.

Example::

    >>> with open_writer(Path("warehouse.duckdb")) as con, transaction(con):  # doctest: +SKIP
    ...     record_delivery(con, {"delivery_id": next_delivery_id(con), "file_name": ..., "status": "LOADED"})
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import duckdb
import pandas as pd


def already_processed(con: duckdb.DuckDBPyConnection, file_label: str, sha256: str, well_named: bool = True) -> bool:
    """A file of this name (as recorded) and these bytes has been seen before; for a file now
    ``well_named``, only a record with a period counts (one recorded without, as misnamed, was
    refused for a period that was still to come)."""
    found = con.execute(
        "select count(*) from audit.deliveries where file_name = ? and sha256 = ? and (period is not null or not ?)",
        [file_label, sha256, well_named],
    ).fetchall()
    return found[0][0] > 0


def earlier_loaded_file_with_same_bytes(con: duckdb.DuckDBPyConnection, sha256: str) -> str | None:
    """Name of an earlier LOADED file with identical content, if any.

    A rejected file re-delivered byte for byte under a corrected name is not a duplicate:
    nothing of it was loaded the first time.
    """
    found = con.execute(
        "select file_name from audit.deliveries where sha256 = ? and status = 'LOADED' order by delivery_id limit 1",
        [sha256],
    ).fetchall()
    return found[0][0] if found else None


def processings_of_file(con: duckdb.DuckDBPyConnection, file_label: str, sha256: str) -> list[tuple[int, str, str]]:
    """(delivery_id, status, reason) of every processing of this file (name as recorded, these
    bytes), first to last: its first processing, then any reprocessing."""
    return con.execute(
        "select delivery_id, status, reason from audit.deliveries where file_name = ? and sha256 = ? order by 1",
        [file_label, sha256],
    ).fetchall()


def loaded_row_numbers(con: duckdb.DuckDBPyConnection, delivery_ids: Sequence[int]) -> set[int]:
    """The file row numbers already loaded by these deliveries (core.response_versions)."""
    found = con.execute(
        "select distinct row_number from core.response_versions where list_contains(?, delivery_id)",
        [list(delivery_ids)],
    ).fetchall()
    return {row_number for (row_number,) in found}


MAX_AUDIT_TEXT = 1000  # characters of one free-text audit value (a reason, the ignored columns)


def capped(text: str, limit: int = MAX_AUDIT_TEXT) -> str:
    """``text`` cut to ``limit`` characters, saying how many more there were.

    >>> capped("short"), capped("x" * 1_234 + "abc", limit=3)
    ('short', 'xxx… and 1,234 more characters')
    """
    return text if len(text) <= limit else f"{text[:limit]}… and {len(text) - limit:,} more characters"


def next_delivery_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select coalesce(max(delivery_id), 0) + 1 from audit.deliveries").fetchall()[0][0]


def record_delivery(con: duckdb.DuckDBPyConnection, row: Mapping[str, object]) -> None:
    """Insert one file's row into audit.deliveries (columns by name; ``processed_at`` is now;
    every text :func:`capped`)."""
    row = {name: capped(value) if isinstance(value, str) else value for name, value in row.items()}
    row["processed_at"] = datetime.now().replace(microsecond=0)
    columns = ", ".join(row)
    con.execute(f"insert into audit.deliveries ({columns}) values ({', '.join('?' * len(row))})", list(row.values()))


def unalerted_deliveries(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(delivery_id, file_name, status, rows_in_file, rows_loaded, rows_quarantined, reason,
    processed_at) of every delivery no run has finished alerting, oldest first."""
    return con.execute(
        "select delivery_id, file_name, status, rows_in_file, rows_loaded, rows_quarantined, reason, processed_at"
        " from audit.deliveries where alerted_at is null order by delivery_id"
    ).fetchall()


def mark_alerted(con: duckdb.DuckDBPyConnection, delivery_ids: Sequence[int]) -> None:
    """Record that the alerts of these deliveries (if any) have been raised."""
    con.execute(
        "update audit.deliveries set alerted_at = ? where list_contains(?, delivery_id) and alerted_at is null",
        [datetime.now().replace(microsecond=0), list(delivery_ids)],
    )


def insert_quarantine(con: duckdb.DuckDBPyConnection, delivery_id: int, file_name: str, rows: pd.DataFrame) -> None:
    """Insert the failed checks of a file's bad rows into audit.quarantine."""
    if rows.empty:
        return
    quarantine = rows.assign(file_name=file_name, delivery_id=delivery_id)  # noqa: F841 (used by SQL)
    con.execute("insert into audit.quarantine by name select * from quarantine")


def count_corrections(con: duckdb.DuckDBPyConnection, valid: pd.DataFrame) -> int:
    """How many of the file's valid rows correct a response loaded from an earlier delivery."""
    incoming = valid[["response_id"]]  # noqa: F841 (used by SQL)
    return con.execute(
        "select count(*) from incoming where response_id in (select response_id from core.response_versions)"
    ).fetchall()[0][0]


def insert_response_versions(con: duckdb.DuckDBPyConnection, versions: pd.DataFrame) -> None:
    """Insert a file's valid rows into core.response_versions."""
    if versions.empty:
        return
    con.execute("insert into core.response_versions by name select * from versions")


def insert_recorded_victims(con: duckdb.DuckDBPyConnection, delivery_id: int, rows: pd.DataFrame) -> None:
    """Insert a counts file's valid rows (row_number, month, area, crime_group, victims) into
    core.recorded_victims."""
    if rows.empty:
        return
    counts = rows.assign(delivery_id=delivery_id)  # noqa: F841 (used by SQL)
    con.execute("insert into core.recorded_victims by name select * from counts")


def old_quarantine_rows(con: duckdb.DuckDBPyConnection, cutoff: datetime) -> int:
    """How many quarantine rows belong to deliveries processed before ``cutoff``."""
    return con.execute(
        "select count(*) from audit.quarantine"
        " where delivery_id in (select delivery_id from audit.deliveries where processed_at < ?)",
        [cutoff],
    ).fetchall()[0][0]


def delete_old_quarantine_rows(con: duckdb.DuckDBPyConnection, cutoff: datetime) -> None:
    """Delete the quarantine rows of deliveries processed before ``cutoff`` (their counts stay)."""
    con.execute(
        "delete from audit.quarantine"
        " where delivery_id in (select delivery_id from audit.deliveries where processed_at < ?)",
        [cutoff],
    )


def next_purge_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select coalesce(max(purge_id), 0) + 1 from audit.purges").fetchall()[0][0]


def record_purge_plan(
    con: duckdb.DuckDBPyConnection, purge: Mapping[str, object], files: Sequence[Mapping[str, object]]
) -> None:
    """Insert a purge's row into audit.purges and its files (status PENDING) into
    audit.purged_files (columns by name), before anything is removed."""
    now = datetime.now()
    purge = {**purge, "purged_at": now, "files_removed": 0, "files_to_remove": len(files), "status": "RECORDED"}
    con.execute(
        f"insert into audit.purges ({', '.join(purge)}) values ({', '.join('?' * len(purge))})", list(purge.values())
    )
    if files:
        columns = ["purge_id", *files[0], "status", "updated_at"]
        con.executemany(
            f"insert into audit.purged_files ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
            [[purge["purge_id"], *f.values(), "PENDING", now] for f in files],
        )


def mark_purged_file(
    con: duckdb.DuckDBPyConnection, purge_id: int, file_name: str, status: str, error: str | None = None
) -> None:
    """Record what became of one file of a purge (REMOVED, FAILED or KEPT)."""
    con.execute(
        "update audit.purged_files set status = ?, error = ?, updated_at = ? where purge_id = ? and file_name = ?",
        [status, error, datetime.now(), purge_id, file_name],
    )


def finish_purges(con: duckdb.DuckDBPyConnection, purge_ids: Sequence[int]) -> None:
    """Count each purge's removed files; DONE when none is left PENDING or FAILED, else INCOMPLETE."""
    for purge_id in purge_ids:
        con.execute(
            """
            update audit.purges set
                files_removed = (select count(*) from audit.purged_files f
                                 where f.purge_id = $1 and f.status = 'REMOVED'),
                status = case when exists (select 1 from audit.purged_files f
                                           where f.purge_id = $1 and f.status in ('PENDING', 'FAILED'))
                              then 'INCOMPLETE' else 'DONE' end,
                finished_at = $2
            where purge_id = $1
            """,
            [purge_id, datetime.now()],
        )


def unfinished_purge_files(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str, str]]:
    """(purge_id, file_name, sha256) of files recorded by a purge but not yet removed (PENDING
    after a crash, FAILED after an error), oldest purge first."""
    return con.execute(
        "select purge_id, file_name, sha256 from audit.purged_files"
        " where status in ('PENDING', 'FAILED') order by purge_id, file_name"
    ).fetchall()


def files_recorded_before(
    con: duckdb.DuckDBPyConnection, cutoff: datetime, statuses: list[str]
) -> dict[tuple[str, str], tuple[int, str, datetime]]:
    """Well-named files whose every processing with one of ``statuses`` was before ``cutoff``:
    (file name, SHA-256) -> (latest delivery_id, its status, its processed_at). A file
    reprocessed since counts from its latest processing."""
    found = con.execute(
        """
        select file_name, sha256, max(delivery_id), arg_max(status, delivery_id), max(processed_at)
        from audit.deliveries
        where list_contains(?, status) and period is not null
        group by file_name, sha256
        having max(processed_at) < ?
        """,
        [statuses, cutoff],
    ).fetchall()
    return {(name, sha): (delivery_id, status, at) for name, sha, delivery_id, status, at in found}


def record_comment_decisions(con: duckdb.DuckDBPyConnection, rows: Sequence[Mapping[str, object]]) -> None:
    """Insert reviewers' decisions into audit.comment_approvals (columns by name, the same in
    every row; ``decided_at`` is now)."""
    if not rows:
        return
    decided_at = datetime.now().replace(microsecond=0)
    columns = [*rows[0], "decided_at"]
    con.executemany(
        f"insert into audit.comment_approvals ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
        [[*row.values(), decided_at] for row in rows],
    )


def comment_decisions(con: duckdb.DuckDBPyConnection, contract: str, field: str) -> list[tuple]:
    """(response_id, service, reviewed_sha256, decision, released_text) of every decision on
    ``field`` for ``contract``; none in a warehouse made before the table (never opened for
    writing since)."""
    [(exists,)] = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'audit' and table_name = 'comment_approvals'"
    ).fetchall()
    if not exists:
        return []
    return con.execute(
        "select response_id, service, reviewed_sha256, decision, released_text from audit.comment_approvals"
        " where contract = ? and field = ?",
        [contract, field],
    ).fetchall()
