"""The run summary: a Markdown page of aggregates that each flow run publishes as an artifact.

Files processed (a misnamed file's name replaced by a label), the commonest quarantine
rules, headline figures of the latest rolling 3 months, the latest month's quota
shortfalls, and the survey's months that lack the force's recorded-crime counts (no weighted
figures for a window that includes one). Counts and rates only, never row values; suppressed cells show as [c].

Example::

    >>> print(run_summary_markdown([], Path("warehouse.duckdb")))  # doctest: +SKIP
    # Monthly ingestion ...
"""

from __future__ import annotations

from pathlib import Path

import duckdb

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
        missing = months_without_counts(con)
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
        "## The force's recorded-crime counts",
        counts_sentence(missing),
    ]
    return "\n\n".join(part for part in parts if part)


def months_without_counts(con: duckdb.DuckDBPyConnection) -> tuple[list[str], bool]:
    """The survey's months (with responses) that have no loaded recorded-crime counts, in order,
    and whether any month has counts at all."""
    missing = con.sql(
        "select distinct month from staging.stg_responses"
        " where month not in (select month from staging.stg_recorded_victims) order by 1"
    ).fetchall()
    [(any_counts,)] = con.sql("select count(*) > 0 from staging.stg_recorded_victims").fetchall()
    return [month for (month,) in missing], any_counts


def counts_sentence(missing: tuple[list[str], bool], shown: int = 12) -> str:
    """What the run summary says of the counts the weighted figures need.

    >>> counts_sentence((["2026-10"], True))
    'Months without counts: 2026-10. Weighted figures are missing for every window that includes them.'
    >>> counts_sentence(([], True)), counts_sentence((["2026-10"], False))[:30]
    ('Every month of the survey has counts.', 'No recorded-crime counts are l')
    """
    months, any_counts = missing
    if not any_counts:
        return "No recorded-crime counts are loaded yet: there are no weighted figures."
    if not months:
        return "Every month of the survey has counts."
    listed = ", ".join(months[-shown:]) + (f" (and {len(months) - shown} earlier)" if len(months) > shown else "")
    return f"Months without counts: {listed}. Weighted figures are missing for every window that includes them."
