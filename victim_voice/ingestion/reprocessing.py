"""Reprocessing: a delivery read again with today's rules, for rows a rule no longer quarantines.

A row can be quarantined only because of the day of the run: an interview dated after the
run (a supplier in another time zone, a file prepared ahead) fails ``date_in_window`` then
and passes a week later. The file's name and bytes were seen, so ``ingest`` never reads it
again. :func:`reprocess_file` does: it validates the whole file with the rules of
``run_date``, and loads the rows that pass now and that no processing of the file loaded
before, as a new delivery (``audit.deliveries.reprocessing_of`` names the earlier one) with
the same period and sequence, so its rows supersede and are superseded exactly as the
original file's would have been. A row is never loaded twice; rows that still fail are
quarantined again with today's reasons.

Example::

    >>> reprocess_file(Settings.from_env(), Path("VictimVoice_2024-06_01.csv"), date.today())  # doctest: +SKIP
    Reprocessing(earlier_delivery_id=14, delivery_id=15, rows_read_again=3, outcome=DeliveryOutcome(...))
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import duckdb

from victim_voice.delivery.files import (
    UnreadableFile,
    landing_file_bytes,
    log_name,
    parse_delivery_name,
    sha256_of,
)
from victim_voice.delivery.outcome import DeliveryOutcome, Status
from victim_voice.delivery.preparing import PreparedDelivery, prepare_delivery
from victim_voice.ingestion.loading import load_validated
from victim_voice.ingestion.run import check_can_start
from victim_voice.protection.pseudonyms import load_pseudonym_key
from victim_voice.settings import Settings
from warehouse import storage
from warehouse.db import WarehouseMissing, open_writer
from warehouse.models import refresh_metrics


class ReprocessRefused(Exception):
    """The file cannot be reprocessed; the message says why and what to do instead."""


@dataclass(frozen=True)
class Reprocessing:
    earlier_delivery_id: int
    delivery_id: int | None  # None: nothing passes today that was not loaded before; nothing recorded
    rows_read_again: int  # the file's rows no earlier processing loaded
    outcome: DeliveryOutcome | None


def landing_path(landing: Path, file: Path) -> Path:
    """FILE as a file of the landing folder: a bare name is looked up there; a path must be there."""
    path = landing / file if len(file.parts) == 1 else file
    if path.parent.resolve() != landing.resolve():
        raise ReprocessRefused(f"{file} is not in the landing folder {landing}; reprocess reads delivery files there")
    if not path.is_file() or path.is_symlink():
        raise ReprocessRefused(
            f"there is no delivery file {path.name} in the landing folder {landing} (purged, or never delivered?)"
        )
    return path


def refuse_unless_loaded(file_name: str, processings: list[tuple[int, str, str]]) -> list[int]:
    """The ids of the file's LOADED processings; refuse a file never processed, or never loaded."""
    if not processings:
        raise ReprocessRefused(
            f"{file_name} (these bytes) was never processed: `victim-voice ingest` loads it; reprocess is for a file "
            "already loaded"
        )
    loaded = [delivery_id for delivery_id, status, _ in processings if status == Status.LOADED.value]
    if not loaded:
        _, status, reason = processings[0]
        raise ReprocessRefused(
            f"{file_name} was {status}, not loaded ({reason}); reprocess reads again the quarantined rows of a loaded "
            "file: ask the supplier for a corrected delivery instead"
        )
    return loaded


def rows_not_loaded_before(prepared: PreparedDelivery, loaded_before: set[int]) -> PreparedDelivery:
    """The prepared file narrowed to the rows no earlier processing loaded: those that pass now
    (to load) and those that still fail (quarantined again)."""
    rows = prepared.rows[~prepared.rows["row_number"].isin(loaded_before)]
    quarantine = prepared.quarantine[~prepared.quarantine["row_number"].isin(loaded_before)]
    still_failing = quarantine["row_number"].nunique()
    return replace(
        prepared,
        rows=rows,
        quarantine=quarantine,
        rows_quarantined=still_failing,
        rows_in_file=len(rows) + still_failing,
    )


def reprocess_loaded_file(
    con: duckdb.DuckDBPyConnection, path: Path, data: bytes, key: bytes, run_date: date
) -> Reprocessing:
    """Read a loaded file again with the rules of ``run_date`` and load, in one transaction,
    the rows that pass now and were never loaded."""
    name, sha256 = parse_delivery_name(path.name), sha256_of(data)
    loaded = refuse_unless_loaded(path.name, storage.processings_of_file(con, log_name(path.name), sha256))
    prepared = prepare_delivery(path, data, key, run_date)
    if prepared.rejection is not None:
        raise ReprocessRefused(f"with today's rules {path.name} would be rejected whole: {prepared.rejection}")
    again = rows_not_loaded_before(prepared, storage.loaded_row_numbers(con, loaded))
    if again.rows.empty:
        return Reprocessing(loaded[-1], None, again.rows_in_file, None)
    reason = (
        f"reprocessing of delivery {loaded[-1]}: its {again.rows_in_file} row(s) not loaded before, read again with "
        f"the rules of {run_date.isoformat()}"
    )
    outcome = load_validated(con, name, sha256, again, reprocessing_of=loaded[-1], reason=reason)
    [(delivery_id,)] = con.execute("select max(delivery_id) from audit.deliveries").fetchall()
    return Reprocessing(loaded[-1], delivery_id, again.rows_in_file, outcome)


def reprocess_file(settings: Settings, file: Path, run_date: date) -> Reprocessing:
    """Reprocess one landing file (see the module's docstring), then refresh the metrics when
    anything was loaded. Raises ReprocessRefused for a file not in the landing folder, never
    processed, or never loaded."""
    check_can_start(settings)
    if not settings.warehouse.exists():
        raise WarehouseMissing(f"no warehouse at {settings.warehouse}")
    path = landing_path(settings.landing, file)
    if parse_delivery_name(path.name).period is None:
        raise ReprocessRefused(f"{log_name(path.name)} is not named as a delivery; nothing of it was ever loaded")
    try:
        data = landing_file_bytes(path)
    except UnreadableFile as error:
        raise ReprocessRefused(f"{path.name}: {error}") from None
    key = load_pseudonym_key(settings)
    with open_writer(settings.warehouse, settings.db_key, settings.wait_seconds) as con:
        done = reprocess_loaded_file(con, path, data, key, run_date)
    if done.delivery_id is not None:
        refresh_metrics(settings)
    return done
