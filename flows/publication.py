"""Publication flows: the monthly report, the contract packs and the published aggregates,
and a backfill that re-runs the metrics and the reports for a range of months.

Thin orchestration around victim_voice.report, victim_voice.contract_packs and
warehouse.publishing; tasks take and return paths only.

    >>> monthly_publication(warehouse="data/warehouse.duckdb", out="outputs")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from schemas.codebook import load_codebook
from victim_voice.contract_packs import write_contract_pack
from victim_voice.report import print_pdf, write_report
from victim_voice.report import published_periods as report_periods
from warehouse.db import open_reader
from warehouse.ingestion import refresh_metrics
from warehouse.publishing import publish
from warehouse.settings import Settings


def published_periods(settings: Settings) -> list[str]:
    """Months that end a published rolling 3-month window, in order."""
    with open_reader(settings.warehouse, db_key=settings.db_key) as con:
        return report_periods(con)


@task(name="write-report", cache_policy=NO_CACHE, persist_result=False)
def write_report_task(warehouse: str, period: str, out: str) -> list[str]:
    page = write_report(Settings.from_env().with_paths(warehouse=Path(warehouse)), period, Path(out))
    pdf = print_pdf(page)
    return [str(p) for p in (page, pdf) if p]


@task(name="write-contract-packs", cache_policy=NO_CACHE, persist_result=False)
def write_packs_task(warehouse: str, out: str) -> list[str]:
    settings = Settings.from_env().with_paths(warehouse=Path(warehouse))
    return [str(write_contract_pack(settings, code, Path(out))) for code in load_codebook().contracts]


@task(name="publish-aggregates", cache_policy=NO_CACHE, persist_result=False)
def publish_task(warehouse: str, out: str) -> list[str]:
    return [str(p) for p in publish(Settings.from_env().with_paths(warehouse=Path(warehouse)), Path(out))]


@flow(name="monthly-publication", persist_result=False)
def monthly_publication(warehouse: str | None = None, out: str = "outputs", period: str | None = None) -> list[str]:
    """The report for ``period`` (default: the latest), every contract pack and the published aggregates."""
    os.umask(0o077)
    settings = Settings.from_env().with_paths(warehouse=Path(warehouse) if warehouse else None)
    periods = published_periods(settings)
    period = period or (periods[-1] if periods else None)
    written = write_report_task(str(settings.warehouse), period, f"{out}/reports") if period else []
    written += write_packs_task(str(settings.warehouse), f"{out}/contract-packs")
    written += publish_task(str(settings.warehouse), f"{out}/published")
    get_run_logger().info("%d output file(s) written under %s", len(written), out)
    return written


@flow(name="backfill", persist_result=False)
def backfill(first: str, last: str, warehouse: str | None = None, out: str = "outputs") -> list[str]:
    """Rebuild the metrics, then the monthly reports for every published month from ``first`` to ``last``."""
    os.umask(0o077)
    settings = Settings.from_env().with_paths(warehouse=Path(warehouse) if warehouse else None)
    refresh_metrics(settings)
    months = [p for p in published_periods(settings) if first <= p <= last]
    written = [path for month in months for path in write_report_task(str(settings.warehouse), month, f"{out}/reports")]
    get_run_logger().info("backfill %s..%s: %d report file(s)", first, last, len(written))
    return written
