"""Publication flows: the monthly report, the contract packs and the published aggregates,
and a backfill that re-runs the metrics and the reports for a range of months.

Thin orchestration around :mod:`victim_voice.outputs.monthly` (the same writers the demo
uses); tasks take and return paths only.

    >>> monthly_publication(warehouse="data/warehouse.duckdb", out="outputs")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from victim_voice.outputs.headline import published_periods
from victim_voice.outputs.monthly import (
    REPORTS,
    OutputSteps,
    write_contract_packs,
    write_monthly_outputs,
    write_report_files,
)
from victim_voice.outputs.publishing import publish
from victim_voice.settings import Settings
from warehouse.db import open_reader
from warehouse.models import refresh_metrics


def warehouse_settings(warehouse: str | None) -> Settings:
    """Settings from the environment, with the flow's warehouse taking precedence."""
    return Settings.from_env().with_paths(warehouse=Path(warehouse) if warehouse else None)


@task(name="write-report", cache_policy=NO_CACHE, persist_result=False)
def write_report_task(warehouse: str, period: str, out: str) -> list[str]:
    return [str(p) for p in write_report_files(warehouse_settings(warehouse), period, Path(out))]


@task(name="write-contract-packs", cache_policy=NO_CACHE, persist_result=False)
def write_packs_task(warehouse: str, out: str) -> list[str]:
    return [str(p) for p in write_contract_packs(warehouse_settings(warehouse), Path(out))]


@task(name="publish-aggregates", cache_policy=NO_CACHE, persist_result=False)
def publish_task(warehouse: str, out: str) -> list[str]:
    return [str(p) for p in publish(warehouse_settings(warehouse), Path(out))]


def task_steps() -> OutputSteps:
    """The three writers as this flow's tasks (paths in, paths out)."""

    def report(settings: Settings, period: str, folder: Path) -> list[Path]:
        return [Path(p) for p in write_report_task(str(settings.warehouse), period, str(folder))]

    def packs(settings: Settings, folder: Path) -> list[Path]:
        return [Path(p) for p in write_packs_task(str(settings.warehouse), str(folder))]

    def aggregates(settings: Settings, folder: Path) -> list[Path]:
        return [Path(p) for p in publish_task(str(settings.warehouse), str(folder))]

    return OutputSteps(report=report, packs=packs, aggregates=aggregates)


@flow(name="monthly-publication", persist_result=False)
def monthly_publication(warehouse: str | None = None, out: str = "outputs", period: str | None = None) -> list[str]:
    """The report for ``period`` (default: the latest), every contract pack and the published aggregates."""
    os.umask(0o077)
    written = write_monthly_outputs(warehouse_settings(warehouse), Path(out), period, task_steps())
    get_run_logger().info("%d output file(s) written under %s", len(written), out)
    return [str(path) for path in written]


@flow(name="backfill", persist_result=False)
def backfill(first: str, last: str, warehouse: str | None = None, out: str = "outputs") -> list[str]:
    """Rebuild the metrics, then the monthly reports for every published month from ``first`` to ``last``."""
    os.umask(0o077)
    settings = warehouse_settings(warehouse)
    refresh_metrics(settings)
    with open_reader(settings.warehouse, db_key=settings.db_key) as con:
        months = [p for p in published_periods(con) if first <= p <= last]
    written = [p for month in months for p in write_report_task(str(settings.warehouse), month, f"{out}/{REPORTS}")]
    get_run_logger().info("backfill %s..%s: %d report file(s)", first, last, len(written))
    return written
