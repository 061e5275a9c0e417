"""What ingestion writes and checks in the warehouse's storage tables: ``audit.deliveries``,
``audit.quarantine`` and ``core.response_versions``.

Plain statements on a connection; the caller decides the transaction
(:func:`warehouse.db.transaction`), so a file and its audit rows land together.

Example::

    >>> with open_writer(Path("warehouse.duckdb")) as con, transaction(con):  # doctest: +SKIP
    ...     record_delivery(con, next_delivery_id(con), name, sha256, outcome)
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from victim_voice.delivery.files import DeliveryName, log_name
from victim_voice.delivery.outcome import DeliveryOutcome, Status


def already_processed(con: duckdb.DuckDBPyConnection, file_name: str, sha256: str) -> bool:
    """This exact file (same name, same bytes) has been seen before."""
    found = con.execute(
        "select count(*) from audit.deliveries where file_name = ? and sha256 = ?", [log_name(file_name), sha256]
    ).fetchall()
    return found[0][0] > 0


def earlier_loaded_file_with_same_bytes(con: duckdb.DuckDBPyConnection, sha256: str) -> str | None:
    """Name of an earlier LOADED file with identical content, if any.

    A rejected file re-delivered byte for byte under a corrected name is not a duplicate:
    nothing of it was loaded the first time.
    """
    found = con.execute(
        "select file_name from audit.deliveries where sha256 = ? and status = ? order by delivery_id limit 1",
        [sha256, Status.LOADED.value],
    ).fetchall()
    return found[0][0] if found else None


def next_delivery_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select coalesce(max(delivery_id), 0) + 1 from audit.deliveries").fetchall()[0][0]


def record_delivery(
    con: duckdb.DuckDBPyConnection, delivery_id: int, name: DeliveryName, sha256: str, outcome: DeliveryOutcome
) -> None:
    """Insert the file's row into audit.deliveries."""
    con.execute(
        """
        insert into audit.deliveries (
            delivery_id, file_name, sha256, period, seq, status, rows_in_file, rows_loaded,
            rows_quarantined, rows_corrected, reason, ignored_columns, processed_at)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            delivery_id,
            log_name(name.file_name),  # a misnamed file's name could say anything: stored as a label
            sha256,
            name.period,
            name.seq,
            outcome.status.value,
            outcome.rows_in_file,
            outcome.rows_loaded,
            outcome.rows_quarantined,
            outcome.rows_corrected,
            outcome.reason,
            ", ".join(outcome.ignored_columns) or None,
            datetime.now().replace(microsecond=0),
        ],
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
