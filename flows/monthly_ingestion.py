"""The monthly ingestion flow: every new supplier delivery validated and loaded.

Thin orchestration: the run's sequence is :func:`victim_voice.ingestion.run.ingest_landing`,
called with this module's tasks as its steps (one task per file, then one that refreshes
the metrics), then the alerts. Tasks take paths and file names and return the typed
:class:`~victim_voice.delivery.outcome.DeliveryOutcome` (counts and reasons); nothing is
cached or persisted, and logs carry file names and counts, never row values. A large batch
(a backlog of past deliveries) is prepared in worker processes meanwhile: each task is handed
that preparation (a handle on the workers, holding no key) and takes its own file from it,
so no rows and no key pass through Prefect.

Run locally (Prefect starts a temporary server when ``PREFECT_API_URL`` is not set)::

    >>> monthly_ingestion(landing="data/landing", warehouse="data/warehouse.duckdb")  # doctest: +SKIP
"""

# No `from __future__ import annotations` here: `victim-voice serve` pickles this flow by value,
# and as strings its parameters' annotations name types the pickled function does not carry (the
# served run failed "`Monthly_IngestionModel` is not fully defined; you should define `date`").
import dataclasses
import os
from datetime import date
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, Failed, State

from victim_voice.delivery.files import log_name
from victim_voice.delivery.outcome import DeliveryOutcome, Status
from victim_voice.ingestion.parallel import PreparedAhead
from victim_voice.ingestion.result import IngestionResult
from victim_voice.ingestion.run import RunSteps, RunStopped, ingest_landing, ingest_one, refresh_if_behind
from victim_voice.outputs.alerts import (
    Alert,
    alert_message,
    alerts_markdown,
    earlier_unalerted,
    find_alerts,
    mark_alerted,
)
from victim_voice.outputs.run_summary import run_summary_markdown
from victim_voice.settings import ConfigurationError, Settings
from warehouse.db import StorageFault, WarehouseBusy, WarehouseDamaged, faults_typed


def run_settings(landing: str | None, warehouse: str | None, key_file: str | None) -> Settings:
    """Settings from the environment, with the flow's parameters taking precedence."""
    settings = Settings.from_env().with_paths(
        Path(landing) if landing else None, Path(warehouse) if warehouse else None
    )
    return settings.with_key_file(Path(key_file)) if key_file else settings


RETRY_DELAYS_SECONDS = [10, 30, 90]  # back-off for transient faults only


def retry_on_transient_fault(task, task_run, state) -> bool:
    """Retry when a file is still locked; never on a validation or configuration problem,
    which a retry cannot fix, nor on a busy warehouse: every opening has already waited up to
    VICTIM_VOICE_WAIT_SECONDS for it, and the run then stops, saying so."""
    try:
        state.result()
    except WarehouseBusy:
        return False
    except (PermissionError, BlockingIOError):
        return True
    except Exception:
        return False
    return False


# Every task here: no caching or stored results (they touch rows), retries on transient faults only.
TASK_OPTIONS = {
    "cache_policy": NO_CACHE,
    "persist_result": False,
    "retries": len(RETRY_DELAYS_SECONDS),
    "retry_delay_seconds": RETRY_DELAYS_SECONDS,
    "retry_condition_fn": retry_on_transient_fault,
}


@task(name="ingest-delivery", **TASK_OPTIONS)
def ingest_delivery(
    landing: str,
    file_name: str,
    warehouse: str,
    run_date: date,
    key_file: str | None = None,
    ahead: PreparedAhead | None = None,
) -> DeliveryOutcome | None:
    """Validate and load one delivery file; returns its counts (None if seen before)."""
    settings = run_settings(landing, warehouse, key_file)
    outcome = ingest_one(settings, Path(landing) / file_name, run_date, ahead or PreparedAhead())
    if outcome is None:
        return None
    logger = get_run_logger()
    name = log_name(outcome.file_name)
    logger.info(
        "%s: %s, %s rows in file, %s loaded (%s corrections), %s quarantined",
        name,
        outcome.status.value,
        outcome.rows_in_file,
        outcome.rows_loaded,
        outcome.rows_corrected,
        outcome.rows_quarantined,
    )
    if outcome.reason:
        logger.warning("%s: %s", name, outcome.note)
    return outcome


@task(name="refresh-metrics", **TASK_OPTIONS)
def refresh_metrics_task(warehouse: str) -> list[str]:
    """Rebuild the metric tables and views from everything loaded so far, unless the last
    refresh already covers it."""
    built = refresh_if_behind(Settings.from_env().with_paths(warehouse=Path(warehouse)))
    if built:
        get_run_logger().info("metrics refreshed: %d warehouse objects rebuilt", len(built))
    else:
        get_run_logger().info("metrics already describe every load: not rebuilt")
    return built


def task_steps(key_file: str | None) -> RunSteps:
    """The run's steps as this flow's tasks (paths and names in, typed counts out)."""

    def found(settings: Settings, paths: list[Path]) -> None:
        get_run_logger().info("%d file(s) in %s", len(paths), settings.landing)

    def ingest(settings: Settings, path: Path, run_date: date, ahead: PreparedAhead) -> DeliveryOutcome | None:
        return ingest_delivery(str(settings.landing), path.name, str(settings.warehouse), run_date, key_file, ahead)

    def refresh(settings: Settings) -> list[str]:
        return refresh_metrics_task(str(settings.warehouse))

    return RunSteps(found=found, ingest=ingest, refresh=refresh)


def send_alert_notification(block_name: str, alerts: list[Alert]) -> bool:
    """Send the alerts through a Prefect notification block (``type-slug/name``, for example
    ``ms-teams-webhook/opcc-alerts``); True when sent. A failure to send is logged, never
    fatal: the run's Failed state and its artifact already carry the alerts, and the next run
    sends them again."""
    from prefect.blocks.core import Block

    logger = get_run_logger()
    body = "\n".join(f"- {a.kind.value} {a.subject}: {a.detail}" for a in alerts)
    try:
        Block.load(block_name).notify(body=body, subject=f"Victim Voice monthly ingestion: {alert_message(alerts)}")
    except Exception as error:
        logger.warning(
            "could not send the alerts through %s: %s; the next run sends them again", block_name, type(error).__name__
        )
        return False
    logger.info("alerts sent through %s", block_name)
    return True


# What stops a run with a message a person can act on (never a traceback).
STOPPING_FAULTS = (StorageFault, WarehouseDamaged, WarehouseBusy, ConfigurationError)


def stopped_run(stopped: RunStopped) -> State:
    """A run stopped by a warehouse held for longer than the wait: Failed, with what it did and
    what it left (no alerts or summary: reading the warehouse would only wait again)."""
    logger = get_run_logger()
    logger.warning("stopped: %s", stopped)
    logger.warning("%d file(s) left for the next run; the metrics were not refreshed", len(stopped.left))
    result = IngestionResult(tuple(stopped.outcomes), stopped=stopped.holder, left=tuple(stopped.left))
    return Failed(message=f"stopped, warehouse busy: {stopped}", data=result)


@flow(name="monthly-ingestion", persist_result=False, log_prints=False)
def monthly_ingestion(
    landing: str | None = None,
    warehouse: str | None = None,
    run_date: date | None = None,
    key_file: str | None = None,
    settle_seconds: float | None = None,
) -> State:
    """Ingest every new delivery in the landing folder into the warehouse, in order, then
    refresh the metrics. ``key_file`` overrides the pseudonymisation key (the demo's
    throwaway key) and ``settle_seconds`` the wait for uploads in progress; otherwise both
    come from the environment as usual.

    The run ends Completed, or Failed when it found alerts (a rejected file, too many rows
    quarantined, a quota shortfall, a late supplier; see ``victim_voice/outputs/alerts.py``)
    so the Prefect UI and automations show it; the good rows are loaded either way. Its data
    is an :class:`IngestionResult`: call it with ``return_state=True`` and read
    ``state.result(raise_on_failure=False)``. A fault that stops the run (a full disk, a
    damaged warehouse, a busy one, a configuration problem) ends it Failed with the fault's
    one-line message, and the fault as its data."""
    os.umask(0o077)  # the warehouse, its write-ahead log and anything else written: owner-only
    try:
        with faults_typed():
            return ingest_and_alert(landing, warehouse, run_date, key_file, settle_seconds)
    except STOPPING_FAULTS as fault:  # one line in the log and the state, no traceback; the CLI maps it to 2, 3, 5, 6
        get_run_logger().error("%s", fault)
        return Failed(message=str(fault), data=fault)


def ingest_and_alert(
    landing: str | None,
    warehouse: str | None,
    run_date: date | None,
    key_file: str | None,
    settle_seconds: float | None,
) -> State:
    """The flow's work: ingest, alert, summarise (see :func:`monthly_ingestion`)."""
    settings = run_settings(landing, warehouse, key_file)
    if settle_seconds is not None:
        settings = dataclasses.replace(settings, settle_seconds=settle_seconds)
    run_date = run_date or date.today()
    try:
        new = ingest_landing(settings, run_date, task_steps(key_file))
    except RunStopped as stopped:
        return stopped_run(stopped)
    earlier = earlier_unalerted(settings, new)  # recorded by a run that stopped before alerting
    alerts = find_alerts(new, settings, run_date, earlier)
    create_markdown_artifact(
        key="monthly-ingestion-summary",
        markdown=run_summary_markdown(new, settings.warehouse, settings.db_key),
        description="Files, quarantine rules, headline figures and quota shortfalls (aggregates only)",
    )
    logger = get_run_logger()
    logger.info(
        "%d new file(s): %d rows loaded, %d rows quarantined, %d file(s) rejected",
        len(new),
        sum(o.rows_loaded for o in new),
        sum(o.rows_quarantined for o in new),
        sum(o.status is Status.REJECTED for o in new),
    )
    result = IngestionResult(tuple(new), tuple(alerts))
    if not alerts:
        mark_alerted(settings, [*earlier, *new])
        return Completed(message=f"{len(new)} new file(s), no alerts", data=result)
    create_markdown_artifact(
        key="monthly-ingestion-alerts",
        markdown=alerts_markdown(alerts),
        description="What this run found that needs a person (aggregates only)",
    )
    for alert in alerts:
        logger.warning("ALERT %s %s: %s", alert.kind.value, alert.subject, alert.detail)
    sent = send_alert_notification(settings.alert_block, alerts) if settings.alert_block else True
    if sent:  # marked once out (a run stopping before this alerts them again next time)
        mark_alerted(settings, [*earlier, *new])
    return Failed(message=alert_message(alerts), data=result)
