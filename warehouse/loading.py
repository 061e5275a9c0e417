"""Loading one delivery file into the warehouse, in one transaction with its audit rows.

:func:`ingest_file` decides what a file is (already processed, a duplicate, rejected or
loadable), validates it and writes ``audit.deliveries``, ``audit.quarantine`` and
``core.response_versions`` together: either all of a file is visible or none of it.

Example::

    >>> with open_writer(Path("warehouse.duckdb")) as con:  # doctest: +SKIP
    ...     outcome = ingest_file(con, Path("landing/VictimVoice_2023-06_01.csv"), key, date.today())
    >>> outcome.status, outcome.rows_loaded, outcome.rows_quarantined  # doctest: +SKIP
    ('LOADED', 168, 2)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from schemas.codebook import TEXT, load_codebook
from schemas.delivery import validate_rows
from victim_voice import delivery_files
from victim_voice.delivery_files import (
    DeliveryName,
    DeliveryRejected,
    log_name,
    parse_delivery_name,
    read_delivery,
    sha256_of,
)
from victim_voice.redaction import redact_series
from warehouse.pseudonym import pseudonymise_series

LOADED, REJECTED, DUPLICATE = "LOADED", "REJECTED", "DUPLICATE"


@dataclass(frozen=True)
class DeliveryOutcome:
    """What happened to one file: counts and reasons only, never row values."""

    file_name: str
    status: str
    rows_in_file: int | None
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_corrected: int = 0
    reason: str | None = None
    ignored_columns: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        """JSON-safe form (for Prefect results and artifacts)."""
        return {**asdict(self), "ignored_columns": list(self.ignored_columns)}


def already_processed(con: duckdb.DuckDBPyConnection, file_name: str, sha256: str) -> bool:
    """This exact file (same name, same bytes) has been seen before."""
    found = con.execute(
        "select count(*) from audit.deliveries where file_name = ? and sha256 = ?", [log_name(file_name), sha256]
    ).fetchall()
    return found[0][0] > 0


def earlier_loaded_file_with_same_bytes(con: duckdb.DuckDBPyConnection, sha256: str) -> str | None:
    """Name of an earlier LOADED file with identical content, if any.

    A rejected file re-delivered byte for byte under a corrected name is not a duplicate:
    nothing of it was loaded the first time.
    """
    found = con.execute(
        "select file_name from audit.deliveries where sha256 = ? and status = 'LOADED' order by delivery_id limit 1",
        [sha256],
    ).fetchall()
    return found[0][0] if found else None


def next_delivery_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select coalesce(max(delivery_id), 0) + 1 from audit.deliveries").fetchall()[0][0]


def record_delivery(
    con: duckdb.DuckDBPyConnection, delivery_id: int, name: DeliveryName, sha256: str, outcome: DeliveryOutcome
) -> None:
    """Insert the file's row into audit.deliveries."""
    con.execute(
        """
        insert into audit.deliveries (
            delivery_id, file_name, sha256, period, seq, status, rows_in_file, rows_loaded,
            rows_quarantined, rows_corrected, reason, ignored_columns, processed_at)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            delivery_id,
            log_name(name.file_name),  # a misnamed file's name could say anything: stored as a label
            sha256,
            name.period,
            name.seq,
            outcome.status,
            outcome.rows_in_file,
            outcome.rows_loaded,
            outcome.rows_quarantined,
            outcome.rows_corrected,
            outcome.reason,
            ", ".join(outcome.ignored_columns) or None,
            datetime.now().replace(microsecond=0),
        ],
    )


def insert_quarantine(con: duckdb.DuckDBPyConnection, delivery_id: int, file_name: str, rows: pd.DataFrame) -> None:
    """Insert the failed checks of a file's bad rows into audit.quarantine."""
    if rows.empty:
        return
    quarantine = rows.assign(file_name=file_name, delivery_id=delivery_id)  # noqa: F841 (used by SQL)
    con.execute("insert into audit.quarantine by name select * from quarantine")


def protected_rows(valid: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """Valid rows as stored: crime numbers pseudonymised, free text redacted."""
    book = load_codebook()
    redacted = {c.name: redact_series(valid[c.name]) for c in book.columns if c.type == TEXT}
    protected = valid.assign(**redacted, crime_reference_pseudonym=pseudonymise_series(valid["crime_reference"], key))
    return protected.drop(columns=["crime_reference"])


def count_corrections(con: duckdb.DuckDBPyConnection, valid: pd.DataFrame) -> int:
    """How many of the file's valid rows correct a response loaded from an earlier delivery."""
    incoming = valid[["response_id"]]  # noqa: F841 (used by SQL)
    return con.execute(
        "select count(*) from incoming where response_id in (select response_id from core.response_versions)"
    ).fetchall()[0][0]


def insert_response_versions(con: duckdb.DuckDBPyConnection, versions: pd.DataFrame) -> None:
    """Insert a file's valid rows into core.response_versions."""
    if versions.empty:
        return
    con.execute("insert into core.response_versions by name select * from versions")


def load_validated(
    con: duckdb.DuckDBPyConnection, name: DeliveryName, sha256: str, prepared: PreparedDelivery
) -> DeliveryOutcome:
    """Write a validated file and its audit rows in one transaction (all or nothing)."""
    con.execute("begin transaction")
    try:
        delivery_id = next_delivery_id(con)
        outcome = DeliveryOutcome(
            file_name=name.file_name,
            status=LOADED,
            rows_in_file=prepared.rows_in_file,
            rows_loaded=len(prepared.rows),
            rows_quarantined=prepared.rows_quarantined,
            rows_corrected=count_corrections(con, prepared.rows),
            ignored_columns=prepared.ignored_columns,
        )
        record_delivery(con, delivery_id, name, sha256, outcome)
        insert_quarantine(con, delivery_id, name.file_name, prepared.quarantine)
        insert_response_versions(con, prepared.rows.assign(delivery_id=delivery_id))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return outcome


def record_without_loading(
    con: duckdb.DuckDBPyConnection, name: DeliveryName, sha256: str, outcome: DeliveryOutcome
) -> DeliveryOutcome:
    """Record a rejected or duplicate file (nothing of it is loaded)."""
    con.execute("begin transaction")
    try:
        record_delivery(con, next_delivery_id(con), name, sha256, outcome)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return outcome


@dataclass(frozen=True)
class PreparedDelivery:
    """One delivery read, validated, pseudonymised and redacted: all the work that needs no
    warehouse, so several files can be prepared at once in worker processes while a single
    writer loads them in order. Either ``rejection`` says why the whole file is unusable, or
    ``rows`` and ``quarantine`` hold its protected valid rows and its failed checks."""

    file_name: str
    sha256: str
    rows_in_file: int | None
    rejection: str | None = None
    rows: pd.DataFrame | None = None  # as stored in core.response_versions, less delivery_id
    quarantine: pd.DataFrame | None = None  # as audit.quarantine, less file_name and delivery_id
    rows_quarantined: int = 0
    ignored_columns: tuple[str, ...] = ()


def read_landing_file(path: Path) -> bytes | DeliveryOutcome:
    """A landing file's bytes, or a REJECTED outcome when they cannot be read (not recorded:
    a file locked or being replaced is tried again next run). A symbolic link is never
    followed (it could point anywhere on the machine)."""
    if path.is_symlink():
        return DeliveryOutcome(
            path.name, REJECTED, None, reason="the file is a symbolic link; deliveries must be files"
        )
    try:
        if path.stat().st_size > delivery_files.MAX_FILE_BYTES:  # never read a huge file into memory
            reason = f"the file is larger than {delivery_files.MAX_FILE_BYTES:,} bytes; a delivery is far smaller"
            return DeliveryOutcome(path.name, REJECTED, None, reason=reason)
        return path.read_bytes()
    except OSError as error:
        reason = f"the file cannot be read ({error.strerror or type(error).__name__}); it will be tried again next run"
        return DeliveryOutcome(path.name, REJECTED, None, reason=reason)


def prepare_delivery(path: Path, data: bytes, key: bytes, run_date: date) -> PreparedDelivery:
    """Read, validate and protect one delivery's bytes (no warehouse needed)."""
    sha256 = sha256_of(data)
    try:
        delivery = read_delivery(path, data=data)
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
    return data if isinstance(data, DeliveryOutcome) else prepare_delivery(path, data, key, run_date)


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    key: bytes,
    run_date: date,
    prepared: PreparedDelivery | DeliveryOutcome | None = None,
) -> DeliveryOutcome | None:
    """Process one landing file; None when this exact file was processed before.

    ``prepared`` is the file already prepared by a worker (:func:`prepare_file`); without
    it the file is read here, and only read further when it is new. Either way the hash
    and the rows come from the same bytes.
    """
    data = prepared if prepared is not None else read_landing_file(path)
    if isinstance(data, DeliveryOutcome):
        return data
    sha256 = data.sha256 if isinstance(data, PreparedDelivery) else sha256_of(data)
    if already_processed(con, path.name, sha256):
        return None
    name = parse_delivery_name(path.name)
    original = earlier_loaded_file_with_same_bytes(con, sha256)
    if original is not None:
        reason = f"byte-identical to {original}, already processed"
        return record_without_loading(con, name, sha256, DeliveryOutcome(path.name, DUPLICATE, None, reason=reason))
    if not isinstance(data, PreparedDelivery):
        data = prepare_delivery(path, data, key, run_date)
    if data.rejection is not None:
        outcome = DeliveryOutcome(path.name, REJECTED, data.rows_in_file, reason=data.rejection)
        return record_without_loading(con, name, sha256, outcome)
    return load_validated(con, name, sha256, data)
