"""Given rows → a warehouse: load typed responses straight into storage and build the models.

For SQL tests written as data: each delivery is a list of partial rows; anything not given
takes a neutral default (no answers, no services, reported only).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd

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
            versions = version_rows(rows, delivery_id, first_id)  # noqa: F841 (read by SQL)
            first_id += len(rows)
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
                    delivery_id,
                    len(rows),
                    len(rows),
                    datetime(2024, 1, 1),
                ],
            )
            if rows:
                con.execute("insert into core.response_versions by name select * from versions")
        refresh_models(con)
    return path


def cells(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with open_writer(path) as con:
        return con.execute(sql, params or []).fetchall()
