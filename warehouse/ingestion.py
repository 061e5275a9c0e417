"""One ingestion run without Prefect: every new file in the landing folder, in order.

The Prefect flow in ``flows/monthly_ingestion.py`` orchestrates the same steps; this
module holds the plain functions it wraps, so they can be tested without Prefect.

Example::

    >>> outcomes = ingest_landing(Settings.from_env(), run_date=date.today())  # doctest: +SKIP
    >>> [o.status for o in outcomes]  # doctest: +SKIP
    ['LOADED', 'LOADED']
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from victim_voice.delivery_files import find_candidate_files
from warehouse.db import open_writer
from warehouse.loading import DeliveryOutcome, ingest_file
from warehouse.models import refresh_models
from warehouse.pseudonym import load_pseudonym_key
from warehouse.settings import ConfigurationError, Settings


def check_landing(landing: Path) -> None:
    """The landing folder must exist and be a folder."""
    if landing.exists() and not landing.is_dir():
        raise ConfigurationError(f"the landing folder {landing} is a file, not a folder")
    if not landing.is_dir():
        raise ConfigurationError(f"the landing folder {landing} does not exist (set --landing or VICTIM_VOICE_LANDING)")


def check_warehouse_writable(settings: Settings) -> None:
    """Open and close the warehouse once, so a bad path or a running ingestion is reported
    before any work starts (raises ConfigurationError or WarehouseBusy)."""
    with open_writer(settings.warehouse, settings.db_key):
        pass


def ingest_one(settings: Settings, path: Path, run_date: date) -> DeliveryOutcome | None:
    """Open the warehouse, process one file, close. None when the file was seen before."""
    key = load_pseudonym_key(settings)
    with open_writer(settings.warehouse, settings.db_key) as con:
        return ingest_file(con, path, key, run_date)


def refresh_metrics(settings: Settings) -> list[str]:
    """Rebuild the staging, intermediate and mart models (metrics, views) from the loaded data."""
    with open_writer(settings.warehouse, settings.db_key) as con:
        return refresh_models(con)


def ingest_landing(settings: Settings, run_date: date) -> list[DeliveryOutcome]:
    """Process every file of the landing folder not processed before, in delivery order,
    then refresh the metrics."""
    check_landing(settings.landing)
    load_pseudonym_key(settings)  # fail before touching anything if the key is unusable
    outcomes = [
        ingest_one(settings, path, run_date) for path in find_candidate_files(settings.landing, settings.settle_seconds)
    ]
    refresh_metrics(settings)
    return [o for o in outcomes if o is not None]
