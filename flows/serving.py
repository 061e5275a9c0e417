"""Serve the monthly schedule from this machine: ``victim-voice serve``.

A Prefect ``Runner`` keeps one long-running process that registers the three deployments
(with the schedules of ``prefect.yaml``) and runs each scheduled flow run in a
subprocess. It needs a Prefect server (``PREFECT_API_URL``): Prefect's temporary server
runs no scheduler, so the command refuses to start without one. A small office runs
``prefect server start`` and ``victim-voice serve`` on the same machine; a work pool and
workers is the production path (README: "Scheduling with a Prefect server").

Example::

    >>> serve(Settings.from_env(), Path("outputs"))  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from prefect.schedules import Cron

from flows.monthly_ingestion import monthly_ingestion
from flows.publication import backfill, monthly_publication
from victim_voice.settings import Settings

TIMEZONE = "Europe/London"
# The same schedules as prefect.yaml (a test checks they agree).
SCHEDULES = {"monthly-ingestion": "0 7 3 * *", "monthly-publication": "0 9 3 * *"}


def add_deployments(runner, settings: Settings, outputs: Path) -> None:
    """Add the three deployments to ``runner``, with this machine's paths as their parameters.
    The flows stay in memory: each run is a subprocess of this one, with no code to fetch."""
    paths = {"warehouse": str(settings.warehouse.resolve())}
    runner.add_flow(
        monthly_ingestion,
        name="monthly-ingestion",
        description="Validate and load every new supplier delivery into the warehouse.",
        schedules=[Cron(SCHEDULES["monthly-ingestion"], timezone=TIMEZONE)],
        parameters={"landing": str(settings.landing.resolve()), **paths},
        concurrency_limit=1,  # one writer at a time
    )
    runner.add_flow(
        monthly_publication,
        name="monthly-publication",
        description="The monthly report, every contract review pack and the published aggregates.",
        schedules=[Cron(SCHEDULES["monthly-publication"], timezone=TIMEZONE)],
        parameters={**paths, "out": str(outputs.resolve())},
    )
    runner.add_flow(
        backfill,
        name="backfill",
        description="Re-run the metrics and the monthly reports for a range of months (run by hand).",
        parameters={**paths, "out": str(outputs.resolve())},
    )


def serve(settings: Settings, outputs: Path) -> None:
    """Register the deployments and run their schedules until interrupted (Ctrl+C)."""
    from prefect.runner import Runner

    runner = Runner(name="victim-voice", pause_on_shutdown=True)
    add_deployments(runner, settings, outputs)
    print(
        "Serving monthly-ingestion (07:00 on the 3rd, Europe/London), monthly-publication (09:00 on the 3rd)"
        " and backfill (by hand). Stop with Ctrl+C.",
        flush=True,
    )
    asyncio.run(runner.start())
