"""Loading one delivery file: decide what it is, then store it in one transaction.

:func:`ingest_file` decides what a file is (already processed, a duplicate, rejected or
loadable) and writes ``audit.deliveries``, ``audit.quarantine`` and
``core.response_versions`` together: either all of a file is visible or none of it.

Example::

    >>> with open_writer(Path("warehouse.duckdb")) as con:  # doctest: +SKIP
    ...     outcome = ingest_file(con, Path("landing/VictimVoice_2023-06_01.csv"), key, date.today())
    >>> outcome.status, outcome.rows_loaded, outcome.rows_quarantined  # doctest: +SKIP
    (<Status.LOADED: 'LOADED'>, 168, 2)
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb

from victim_voice.delivery.files import DeliveryName, log_name, parse_delivery_name, sha256_of
from victim_voice.delivery.outcome import DeliveryOutcome, Status
from victim_voice.delivery.preparing import PreparedDelivery, prepare_delivery, read_landing_file
from warehouse import storage
from warehouse.db import transaction


def delivery_row(
    delivery_id: int, name: DeliveryName, sha256: str, outcome: DeliveryOutcome, reprocessing_of: int | None = None
) -> dict[str, object]:
    """The file's row of audit.deliveries (``reprocessing_of``: the earlier delivery of the same
    file that `victim-voice reprocess` read again)."""
    row = {
        "delivery_id": delivery_id,
        "file_name": log_name(name.file_name),  # a misnamed file's name could say anything: stored as a label
        "sha256": sha256,
        "period": name.period,
        "seq": name.seq,
        "status": outcome.status.value,
        "rows_in_file": outcome.rows_in_file,
        "rows_loaded": outcome.rows_loaded,
        "rows_quarantined": outcome.rows_quarantined,
        "rows_corrected": outcome.rows_corrected,
        "reason": outcome.reason,
        "ignored_columns": listed_columns(outcome.ignored_columns),
    }
    return row if reprocessing_of is None else {**row, "reprocessing_of": reprocessing_of}


MAX_LISTED_COLUMNS = 20


def listed_columns(columns: tuple[str, ...], shown: int = MAX_LISTED_COLUMNS) -> str | None:
    """Ignored columns as stored: the first ``shown``, then how many more (a header of 100,000
    unknown columns is one short cell, not megabytes).

    >>> listed_columns(("notes", "extra", "more")), listed_columns(("a", "b", "c", "d"), shown=2), listed_columns(())
    ('notes, extra, more', 'a, b … and 2 more columns', None)
    """
    if not columns:
        return None
    more = len(columns) - shown
    return ", ".join(columns[:shown]) + (f" … and {more:,} more column{'s' if more != 1 else ''}" if more > 0 else "")


def seen_before(con: duckdb.DuckDBPyConnection, name: DeliveryName, sha256: str) -> bool:
    """This exact file (same name, same bytes) has been processed before. A file recorded as
    misnamed only because its period was still to come (after the month after the run) is
    new again once its period is allowed."""
    return storage.already_processed(con, log_name(name.file_name), sha256, well_named=name.period is not None)


def load_validated(
    con: duckdb.DuckDBPyConnection,
    name: DeliveryName,
    sha256: str,
    prepared: PreparedDelivery,
    reprocessing_of: int | None = None,
    reason: str | None = None,
) -> DeliveryOutcome:
    """Write a validated file and its audit rows in one transaction (all or nothing); a
    reprocessing names the earlier delivery and says why in ``reason``."""
    with transaction(con):
        delivery_id = storage.next_delivery_id(con)
        outcome = DeliveryOutcome(
            file_name=name.file_name,
            status=Status.LOADED,
            rows_in_file=prepared.rows_in_file,
            rows_loaded=len(prepared.rows),
            rows_quarantined=prepared.rows_quarantined,
            rows_corrected=storage.count_corrections(con, prepared.rows),
            reason=reason,
            ignored_columns=prepared.ignored_columns,
            delivery_id=delivery_id,
        )
        storage.record_delivery(con, delivery_row(delivery_id, name, sha256, outcome, reprocessing_of))
        storage.insert_quarantine(con, delivery_id, name.file_name, prepared.quarantine)
        storage.insert_response_versions(con, prepared.rows.assign(delivery_id=delivery_id))
    return outcome


def record_without_loading(
    con: duckdb.DuckDBPyConnection, name: DeliveryName, sha256: str, outcome: DeliveryOutcome
) -> DeliveryOutcome:
    """Record a rejected or duplicate file (nothing of it is loaded)."""
    with transaction(con):
        outcome = replace(outcome, delivery_id=storage.next_delivery_id(con))
        storage.record_delivery(con, delivery_row(outcome.delivery_id, name, sha256, outcome))
    return outcome


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    key: bytes,
    run_date: date,
    prepared: PreparedDelivery | DeliveryOutcome | None = None,
) -> DeliveryOutcome | None:
    """Process one landing file; None when this exact file was processed before.

    ``prepared`` is the file already prepared by a worker
    (:func:`victim_voice.delivery.preparing.prepare_file`); without it the file is read
    here, and only read further when it is new. Either way the hash and the rows come from
    the same bytes.
    """
    data = prepared if prepared is not None else read_landing_file(path)
    if isinstance(data, DeliveryOutcome):
        return data
    sha256 = data.sha256 if isinstance(data, PreparedDelivery) else sha256_of(data)
    name = parse_delivery_name(path.name, run_date=run_date)
    if seen_before(con, name, sha256):
        return None
    original = storage.earlier_loaded_file_with_same_bytes(con, sha256)
    if original is not None:
        reason = f"byte-identical to {original}, already processed"
        outcome = DeliveryOutcome(path.name, Status.DUPLICATE, None, reason=reason)
        return record_without_loading(con, name, sha256, outcome)
    if not isinstance(data, PreparedDelivery):
        data = prepare_delivery(path, data, key, run_date)
    if data.rejection is not None:
        outcome = DeliveryOutcome(path.name, Status.REJECTED, data.rows_in_file, reason=data.rejection)
        return record_without_loading(con, name, sha256, outcome)
    return load_validated(con, name, sha256, data)
