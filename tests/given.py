"""Given rows → a warehouse: load typed responses straight into storage and build the models.

For SQL tests written as data: each delivery is a list of partial rows; anything not given
takes a neutral default (no answers, no services, reported only).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd

from victim_voice.settings import Settings
from warehouse.db import open_writer
from warehouse.models import refresh_models

DEFAULTS = {
    "interview_date": "2024-01-15",
    "mode": "PHONE",
    "status": "COMPLETE",
    "consent_share_comments": "Y",
    "area": "WILTSHIRE",
    "crime_group": "THEFT",
    "domestic_abuse": "N",
    "hate_crime": "N",
    "journey_stage": "REPORTED",
    "case_outcome": "ONGOING",
}


def version_rows(rows: list[dict], delivery_id: int, first_id: int) -> pd.DataFrame:
    """Typed rows for core.response_versions (ids VV0000xxxx unless given)."""
    records = []
    for number, row in enumerate(rows, start=1):
        record = {**DEFAULTS, "response_id": f"VV{first_id + number:08d}", **row}
        record["interview_date"] = date.fromisoformat(record["interview_date"])
        records.append({"delivery_id": delivery_id, "row_number": number, **record})
    return pd.DataFrame.from_records(records)


def build_warehouse(path: Path, deliveries: list[list[dict]]) -> Path:
    """One LOADED delivery per list of rows (period from its first row's month), then refresh."""
    with open_writer(path) as con:
        first_id = 0
        for delivery_id, rows in enumerate(deliveries, start=1):
            insert_delivery(con, delivery_id, rows, first_id)
            first_id += len(rows)
        refresh_models(con)
    return path


def deliver_correction(path: Path, rows: list[dict]) -> Path:
    """One more LOADED delivery, later than every other (rows name the response_id they
    correct), then refresh."""
    with open_writer(path) as con:
        [(delivery_id, seq)] = con.execute("select max(delivery_id) + 1, max(seq) + 1 from audit.deliveries").fetchall()
        insert_delivery(con, delivery_id, rows, 0, seq=seq)
        refresh_models(con)
    return path


def insert_delivery(con: duckdb.DuckDBPyConnection, delivery_id: int, rows: list[dict], first_id: int,
                    seq: int | None = None) -> None:  # fmt: skip
    """One LOADED delivery's audit row and response versions."""
    versions = version_rows(rows, delivery_id, first_id)  # noqa: F841 (read by SQL)
    period = rows[0].get("interview_date", DEFAULTS["interview_date"])[:7] if rows else "2024-01"
    con.execute(
        "insert into audit.deliveries (delivery_id, file_name, sha256, period, seq, status, rows_in_file,"
        " rows_loaded, rows_quarantined, rows_corrected, processed_at)"
        " values (?, ?, ?, ?, ?, 'LOADED', ?, ?, 0, 0, ?)",
        [
            delivery_id,
            f"VictimVoice_{period}_{delivery_id:02d}.csv",
            f"sha{delivery_id}",
            period,
            seq or delivery_id,
            len(rows),
            len(rows),
            datetime(2024, 1, 1),
        ],
    )
    if rows:
        con.execute("insert into core.response_versions by name select * from versions")


def decide_in_workbook(path: Path, decisions: dict[int, tuple[str | None, str | None]]) -> Path:
    """Fill in a review workbook as a reviewer would: {spreadsheet row: (decision, edited text)}."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Review"]
    for row, (decision, edited) in decisions.items():
        sheet[f"G{row}"], sheet[f"H{row}"] = decision, edited
    workbook.save(path)
    return path


def release_every_comment(settings: Settings, code: str, out: Path, reviewer: str = "A. Reviewer") -> int:
    """Review a contract's comments and release every one as it is; how many were released."""
    from victim_voice.outputs.comment_review import approve_review, write_review_workbook

    review = write_review_workbook(settings, code, out)
    if review.path is None:
        return 0
    decide_in_workbook(review.path, {row: ("release", None) for row in range(2, review.to_review + 2)})
    return approve_review(settings, review.path, reviewer).recorded.get("RELEASE", 0)


def cells(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with open_writer(path) as con:
        return con.execute(sql, params or []).fetchall()


def insert_counts(con: duckdb.DuckDBPyConnection, delivery_id: int, month: str, counts: dict[tuple[str, str], int],
                  seq: int = 1) -> None:  # fmt: skip
    """One LOADED recorded-crime file for ``month``: {(area, crime_group): victims}."""
    con.execute(
        "insert into audit.deliveries (delivery_id, file_name, sha256, period, seq, status, rows_in_file,"
        " rows_loaded, rows_quarantined, rows_corrected, processed_at, kind)"
        " values (?, ?, ?, ?, ?, 'LOADED', ?, ?, 0, 0, ?, 'RECORDED_CRIME')",
        [delivery_id, f"RecordedCrime_{month}_{seq:02d}.csv", f"counts{delivery_id}", month, seq, len(counts),
         len(counts), datetime(2024, 1, 1)],
    )  # fmt: skip
    con.executemany(
        "insert into core.recorded_victims values (?, ?, ?, ?, ?, ?)",
        [[delivery_id, n, month, a, g, v] for n, ((a, g), v) in enumerate(counts.items(), start=1)],
    )


def build_weighted_warehouse(path: Path, deliveries: list[list[dict]], counts: dict[str, dict]) -> Path:
    """:func:`build_warehouse`, with the force's counts: {month: {(area, crime_group): victims}}."""
    with open_writer(path) as con:
        first_id = 0
        for delivery_id, rows in enumerate(deliveries, start=1):
            insert_delivery(con, delivery_id, rows, first_id)
            first_id += len(rows)
        for delivery_id, (month, month_counts) in enumerate(counts.items(), start=len(deliveries) + 1):
            insert_counts(con, delivery_id, month, month_counts)
        refresh_models(con)
    return path
