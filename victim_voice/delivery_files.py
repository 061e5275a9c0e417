"""Finding, naming and reading supplier delivery files, everything as text.

A delivery is read into a DataFrame whose every cell is a Python ``str`` exactly as
delivered (no typing, no "NA" → missing), with the header normalised (trimmed,
lower-case) and matched to the codebook. Anything that makes the whole file
unusable raises :class:`DeliveryRejected` with a reason a person can act on.

Example::

    >>> delivery = read_delivery(Path("landing/VictimVoice_2023-06_01.csv"))
    >>> delivery.frame.shape, delivery.ignored_columns
    ((170, 77), ())
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from schemas.codebook import Codebook, load_codebook

# Files in the landing folder that are not deliveries yet (still uploading) or not ours.
IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".crdownload")


class DeliveryRejected(Exception):
    """The whole file is unusable; the message says why (never quoting row values)."""

    def __init__(self, reason: str, rows_in_file: int | None = None) -> None:
        super().__init__(reason)
        self.rows_in_file = rows_in_file  # data rows counted against the file, when readable


@dataclass(frozen=True)
class DeliveryName:
    """What a delivery's file name says: fieldwork period and sequence number."""

    file_name: str
    period: str | None
    seq: int | None

    @property
    def sort_key(self) -> tuple[str, int, str]:
        """Deliveries are taken in order of period, then sequence (misnamed ones last)."""
        return (self.period or "9999-99", self.seq if self.seq is not None else 99, self.file_name)


@dataclass(frozen=True)
class Delivery:
    """A delivery read as text: one row per data record, columns = codebook columns."""

    name: DeliveryName
    frame: pd.DataFrame
    row_numbers: list[int]  # 1 = first data record after the header
    overlong_rows: list[bool]  # the record had more cells than the header
    ignored_columns: tuple[str, ...]


def parse_delivery_name(file_name: str, book: Codebook | None = None) -> DeliveryName:
    """Period and sequence from ``VictimVoice_<YYYY-MM>_<NN>.<csv|xlsx>``; None when misnamed.

    >>> parse_delivery_name("VictimVoice_2023-06_02.csv")
    DeliveryName(file_name='VictimVoice_2023-06_02.csv', period='2023-06', seq=2)
    """
    book = book or load_codebook()
    match = book.file_name_pattern.match(file_name)
    if not match or not 1 <= int(match["period"][5:]) <= 12:
        return DeliveryName(file_name, None, None)
    return DeliveryName(file_name, match["period"], int(match["seq"]))


def find_candidate_files(landing: Path) -> list[Path]:
    """Files waiting in the landing folder, in delivery order.

    Hidden files and files still being uploaded (``.part``, ``.tmp``) are left alone;
    every other file is a candidate, so a misnamed one is rejected, not ignored.
    """
    files = [
        p
        for p in landing.iterdir()
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith(IN_PROGRESS_SUFFIXES)
    ]
    return sorted(files, key=lambda p: parse_delivery_name(p.name).sort_key)


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def decode_csv_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252; strictly, never a silent latin-1."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DeliveryRejected("cannot be decoded: it is neither UTF-8 nor Windows-1252 text")


def read_csv_records(data: bytes) -> list[list[str]]:
    """RFC 4180 records (quoted commas, quotes and newlines; CRLF or LF)."""
    text = decode_csv_bytes(data)
    if "\x00" in text:
        raise DeliveryRejected("cannot be read as CSV: it contains NUL bytes (is it a binary file?)")
    try:
        return list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        raise DeliveryRejected(f"cannot be read as CSV: {error}") from None


def excel_cell_text(value: object) -> str:
    """An XLSX cell as the text a CSV would have carried.

    >>> excel_cell_text(5.0), excel_cell_text(datetime(2023, 6, 1)), excel_cell_text(None)
    ('5', '2023-06-01', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx_records(path: Path) -> list[list[str]]:
    """Rows of the first worksheet as text (real Excel dates and numbers converted)."""
    import openpyxl  # imported here: only XLSX deliveries pay for it

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise DeliveryRejected(f"cannot be read as XLSX ({type(error).__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        return [[excel_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    except Exception as error:  # openpyxl raises many types on a corrupt workbook
        raise DeliveryRejected(f"cannot be read as XLSX ({type(error).__name__})") from None
    finally:
        workbook.close()


def normalise_header(cells: list[str]) -> list[str]:
    """Header codes trimmed and lower-cased (they match case-insensitively)."""
    return [c.strip().lower() for c in cells]


def to_codebook_names(header: list[str], book: Codebook) -> list[str]:
    """Header cells as codebook column names where they match case-insensitively.

    >>> to_codebook_names(["svc_idva_status", "comments"], load_codebook())
    ['svc_IDVA_status', 'comments']
    """
    by_lower = {name.lower(): name for name in book.column_names}
    return [by_lower.get(cell, cell) for cell in header]


def check_header(header: list[str], book: Codebook, rows_in_file: int) -> None:
    """Reject a header with a repeated column or without every required column."""
    named = [h for h in header if h]
    repeated = sorted({h for h in named if named.count(h) > 1})
    if repeated:
        raise DeliveryRejected(f"has the column(s) {', '.join(repeated)} more than once in its header", rows_in_file)
    missing = [c for c in book.required_columns if c not in named]
    if missing:
        raise DeliveryRejected(f"lacks required column(s): {', '.join(missing)}", rows_in_file)


def records_to_frame(
    records: list[list[str]], book: Codebook
) -> tuple[pd.DataFrame, list[int], list[bool], tuple[str, ...]]:
    """Match the header to the codebook and keep known columns, all as ``str``.

    Fully blank records (a trailing ",,,," line) are skipped; every other record is a
    data row, numbered from 1. A record with more cells than the header is kept (its
    extra cells are reported by validation) so that no row is silently lost.
    """
    if not records or not any(c.strip() for c in records[0]):
        raise DeliveryRejected("has no header row")
    data = [(n, record) for n, record in enumerate(records[1:], start=1) if any(c.strip() for c in record)]
    header = to_codebook_names(normalise_header(records[0]), book)
    check_header(header, book, rows_in_file=len(data))
    if not data:
        raise DeliveryRejected("has no data rows", rows_in_file=0)
    known = set(book.column_names)
    ignored = tuple(h if h else f"(unnamed column {i + 1})" for i, h in enumerate(header) if h not in known)
    positions = [header.index(c) if c in header else None for c in book.column_names]
    width = len(header)
    rows = []
    for _, record in data:
        cells = record + [""] * (width - len(record))
        rows.append([cells[p] if p is not None else "" for p in positions])
    numbers = [n for n, _ in data]
    overlong = [len(record) > width for _, record in data]
    frame = pd.DataFrame(rows, columns=list(book.column_names), dtype="str")
    return frame, numbers, overlong, ignored


def read_delivery(path: Path, book: Codebook | None = None) -> Delivery:
    """Read one delivery file as text, or raise :class:`DeliveryRejected`."""
    book = book or load_codebook()
    name = parse_delivery_name(path.name, book)
    if name.period is None:
        raise DeliveryRejected("is misnamed: a delivery must be named VictimVoice_<YYYY-MM>_<NN>.csv or .xlsx")
    try:
        records = read_xlsx_records(path) if path.suffix == ".xlsx" else read_csv_records(path.read_bytes())
    except OSError as error:
        raise DeliveryRejected(f"cannot be read ({error.strerror})") from None
    frame, numbers, overlong, ignored = records_to_frame(records, book)
    return Delivery(name, frame, numbers, overlong, ignored)
