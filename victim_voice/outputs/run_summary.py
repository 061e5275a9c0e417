"""The run summary: a Markdown page of aggregates that each flow run publishes as an artifact.

Files processed (a misnamed file's name replaced by a label), the commonest quarantine
rules, headline figures of the latest rolling 3 months and the latest month's quota
shortfalls. Counts and rates only, never row values; suppressed cells show as [c].

Example::

    >>> print(run_summary_markdown([], Path("warehouse.duckdb")))  # doctest: +SKIP
    # Monthly ingestion ...
"""

from __future__ import annotations

from pathlib import Path

from victim_voice.delivery.files import log_name
from victim_voice.delivery.outcome import DeliveryOutcome, Status
from victim_voice.outputs.formatting import WITHHELD, markdown_table, percent
from victim_voice.outputs.headline import latest_rolling_3m
from warehouse.db import open_reader


def run_summary_markdown(outcomes: list[DeliveryOutcome], warehouse: Path, db_key: str | None = None) -> str:
    """The summary of one run, from its outcomes and the refreshed warehouse."""
    files = [
        [log_name(o.file_name), o.status.value, o.rows_in_file, o.rows_loaded, o.rows_quarantined,
         o.rows_corrected, o.note]
        for o in outcomes
    ]  # fmt: skip
    loaded_files = [o.file_name for o in outcomes if o.status is Status.LOADED]
    with open_reader(warehouse, db_key=db_key) as con:
        reasons = con.execute(
            "select check_name, count(*) from audit.quarantine where list_contains(?, file_name)"
            " group by all order by 2 desc, 1 limit 5",
            [loaded_files],
        ).fetchall()
        headline = latest_rolling_3m(con)
        shortfalls = con.execute(
            "select period, quota, target, delivered from marts.quota_compliance"
            " where not met and period = (select max(period) from marts.quota_compliance) order by quota"
        ).fetchall()
    file_headers = ["file", "status", "rows", "loaded", "quarantined", "corrections", "note"]
    figures = [[m, p, WITHHELD if s else n, percent(r, s)] for m, p, n, r, _, _, s in headline]
    parts = [
        "# Monthly ingestion",
        f"## Files\n\n{markdown_table(file_headers, files)}" if files else "No new delivery files.",
        "## Commonest quarantine rules in this run",
        markdown_table(["rule", "failed checks"], [list(r) for r in reasons]) if reasons else "None.",
        "## Latest rolling 3 months",
        markdown_table(["metric", "period", "answered", "rate"], figures) if figures else "No figures yet.",
        "## Supplier quota shortfalls (latest month)",
        markdown_table(["period", "quota", "target", "delivered"], [list(r) for r in shortfalls]) or "None.",
    ]
    return "\n\n".join(part for part in parts if part)
