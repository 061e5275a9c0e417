"""Loading one recorded-crime counts file: decide what it is, then store it in one transaction.

The force's ``RecordedCrime_<YYYY-MM>_<NN>.csv`` goes the way of a supplier's delivery
(:mod:`victim_voice.ingestion.loading`): the same file (name and bytes) is processed once,
a byte-identical copy of a loaded file is a DUPLICATE, a broken or misnamed one is REJECTED
whole, and a loadable one writes ``audit.deliveries`` (kind RECORDED_CRIME),
``audit.quarantine`` and ``core.recorded_victims`` together. Counts hold no personal data, so
nothing is pseudonymised; nothing of a counts file touches the survey's responses.

Example::

    >>> outcome = ingest_counts_file(con, Path("landing/RecordedCrime_2024-05_01.csv"), date.today())  # doctest: +SKIP
    >>> outcome.status, outcome.rows_loaded  # doctest: +SKIP
    (<Status.LOADED: 'LOADED'>, 24)
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from schemas.recorded_crime import validate_counts
from victim_voice.delivery.files import DeliveryName, sha256_of
from victim_voice.delivery.outcome import DeliveryOutcome, Status
from victim_voice.delivery.preparing import PreparedDelivery, read_landing_file
from victim_voice.delivery.reading import DeliveryRejected
from victim_voice.delivery.recorded_crime import parse_counts_name, read_counts_file
from victim_voice.ingestion.loading import delivery_row, seen_before
from warehouse import storage
from warehouse.db import transaction

KIND = "RECORDED_CRIME"


def record_counts_file(
    con: duckdb.DuckDBPyConnection,
    name: DeliveryName,
    sha256: str,
    outcome: DeliveryOutcome,
    rows: pd.DataFrame | None = None,
    quarantine: pd.DataFrame | None = None,
) -> DeliveryOutcome:
    """Record the file in audit.deliveries and store its valid rows and failed checks, all or nothing."""
    with transaction(con):
        outcome = replace(outcome, delivery_id=storage.next_delivery_id(con))
        storage.record_delivery(con, {**delivery_row(outcome.delivery_id, name, sha256, outcome), "kind": KIND})
        if quarantine is not None:
            storage.insert_quarantine(con, outcome.delivery_id, name.file_name, quarantine)
        if rows is not None:
            storage.insert_recorded_victims(con, outcome.delivery_id, rows)
    return outcome


def ingest_counts_file(con: duckdb.DuckDBPyConnection, path: Path, run_date: date) -> DeliveryOutcome | None:
    """Process one counts file; None when this exact file was processed before."""
    data = read_landing_file(path)
    if isinstance(data, DeliveryOutcome):
        return data  # unreadable now: tried again next run
    name = parse_counts_name(path.name, run_date)
    if isinstance(data, PreparedDelivery):  # a folder, a pipe, a link: recorded once, by its kind
        outcome = DeliveryOutcome(path.name, Status.REJECTED, None, reason=data.rejection)
        return None if seen_before(con, name, data.sha256) else record_counts_file(con, name, data.sha256, outcome)
    sha256 = sha256_of(data)
    if seen_before(con, name, sha256):
        return None
    if original := storage.earlier_loaded_file_with_same_bytes(con, sha256):
        reason = f"byte-identical to {original}, already processed"
        outcome = DeliveryOutcome(path.name, Status.DUPLICATE, None, reason=reason)
        return record_counts_file(con, name, sha256, outcome)
    try:
        counts = read_counts_file(path.name, data, run_date)
    except DeliveryRejected as rejection:
        outcome = DeliveryOutcome(path.name, Status.REJECTED, rejection.rows_in_file, reason=f"the file {rejection}")
        return record_counts_file(con, name, sha256, outcome)
    result = validate_counts(counts.frame, name.period, counts.row_numbers)
    outcome = DeliveryOutcome(
        path.name,
        Status.LOADED,
        result.rows_in,
        rows_loaded=len(result.valid),
        rows_quarantined=result.rows_quarantined,
    )
    return record_counts_file(con, name, sha256, outcome, result.valid, result.quarantine)
