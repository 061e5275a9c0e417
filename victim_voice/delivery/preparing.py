"""Preparing one delivery: read, validate, pseudonymise and redact, with no warehouse.

All the work a file needs before it can be stored, so several files can be prepared at
once in worker processes while a single writer loads them in order
(``victim_voice/ingestion``).

Example::

    >>> prepared = prepare_file(Path("landing/VictimVoice_2023-06_01.csv"), key, date.today())  # doctest: +SKIP
    >>> prepared.rows_in_file, len(prepared.rows), prepared.rows_quarantined  # doctest: +SKIP
    (170, 168, 2)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from schemas.codebook import TEXT, load_codebook
from schemas.delivery import validate_rows
from victim_voice.delivery.files import NotAFile, UnreadableFile, landing_file_bytes, sha256_of
from victim_voice.delivery.outcome import DeliveryOutcome, Status
from victim_voice.delivery.reading import DeliveryRejected, read_delivery
from victim_voice.protection.pseudonyms import pseudonymise_series
from victim_voice.protection.redaction import redact_series


@dataclass(frozen=True)
class PreparedDelivery:
    """One delivery read, validated, pseudonymised and redacted. Either ``rejection`` says
    why the whole file is unusable, or ``rows`` and ``quarantine`` hold its protected valid
    rows and its failed checks."""

    file_name: str
    sha256: str
    rows_in_file: int | None
    rejection: str | None = None
    rows: pd.DataFrame | None = None  # as stored in core.response_versions, less delivery_id
    quarantine: pd.DataFrame | None = None  # as audit.quarantine, less file_name and delivery_id
    rows_quarantined: int = 0
    ignored_columns: tuple[str, ...] = ()


def read_landing_file(path: Path) -> bytes | PreparedDelivery | DeliveryOutcome:
    """A landing file's bytes; a rejected :class:`PreparedDelivery` when it is not a regular
    file (a folder, a pipe, a link: recorded once, by its kind); or a REJECTED outcome when it
    cannot be read now (not recorded: a file locked or being replaced is tried again next run)."""
    try:
        return landing_file_bytes(path)
    except NotAFile as error:
        return PreparedDelivery(path.name, error.fingerprint, None, rejection=str(error))
    except UnreadableFile as error:
        return DeliveryOutcome(path.name, Status.REJECTED, None, reason=str(error))


def protected_rows(valid: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """Valid rows as stored: crime numbers pseudonymised, free text redacted."""
    book = load_codebook()
    redacted = {c.name: redact_series(valid[c.name]) for c in book.columns if c.type == TEXT}
    protected = valid.assign(**redacted, crime_reference_pseudonym=pseudonymise_series(valid["crime_reference"], key))
    return protected.drop(columns=["crime_reference"])


def prepare_delivery(path: Path, data: bytes, key: bytes, run_date: date) -> PreparedDelivery:
    """Read, validate and protect one delivery's bytes (no warehouse needed)."""
    sha256 = sha256_of(data)
    try:
        delivery = read_delivery(path, data=data, run_date=run_date)
    except DeliveryRejected as rejection:
        return PreparedDelivery(path.name, sha256, rejection.rows_in_file, rejection=f"the file {rejection}")
    result = validate_rows(delivery.frame, run_date, delivery.row_numbers, delivery.row_shapes)
    return PreparedDelivery(
        path.name,
        sha256,
        result.rows_in,
        rows=protected_rows(result.valid, key),
        quarantine=result.quarantine,
        rows_quarantined=result.rows_quarantined,
        ignored_columns=delivery.ignored_columns,
    )


def prepare_file(path: Path, key: bytes, run_date: date) -> PreparedDelivery | DeliveryOutcome:
    """:func:`prepare_delivery` from the file itself (what a worker process runs)."""
    data = read_landing_file(path)
    return prepare_delivery(path, data, key, run_date) if isinstance(data, bytes) else data
