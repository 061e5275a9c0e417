"""Reading a delivery file (CSV or XLSX) as text, exactly as delivered.

A delivery is read into a DataFrame whose every cell is a Python ``str`` exactly as
delivered (no typing, no "NA" → missing), with the header normalised (trimmed,
lower-case) and matched to the codebook. Anything that makes the whole file
unusable raises :class:`DeliveryRejected` with a reason a person can act on.

Example::

    >>> delivery = read_delivery(Path("landing/VictimVoice_2023-06_01.csv"))  # doctest: +SKIP
    >>> delivery.frame.shape, delivery.ignored_columns  # doctest: +SKIP
    ((170, 77), ())
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path

import pandas as pd

from schemas.codebook import Codebook, load_codebook
from victim_voice.delivery.files import DeliveryName, parse_delivery_name, too_large

MAX_FIELD_CHARACTERS = 16 * 1024 * 1024
MAX_XLSX_UNCOMPRESSED_BYTES = 2 * 1024**3  # beyond this a workbook is treated as a zip bomb
MAX_XLSX_COMPRESSION_RATIO = 200


class DeliveryRejected(Exception):
    """The whole file is unusable; the message says why (never quoting row values)."""

    def __init__(self, reason: str, rows_in_file: int | None = None) -> None:
        super().__init__(reason)
        self.rows_in_file = rows_in_file  # data rows counted against the file, when readable


@dataclass(frozen=True)
class Delivery:
    """A delivery read as text: one row per data record, columns = codebook columns."""

    name: DeliveryName
    frame: pd.DataFrame
    row_numbers: list[int]  # 1 = first data record after the header
    row_shapes: list[str | None]  # "short" / "long" when the record does not fit the header
    ignored_columns: tuple[str, ...]


UTF16_ADVICE = "save it as UTF-8 (CSV UTF-8 in Excel)"


def wide_encoding(data: bytes) -> str | None:
    """``UTF-16`` or ``UTF-32`` when the bytes are text in one of them (a byte-order mark, or a
    NUL beside every other byte: what Excel's "Unicode Text" writes), else None. The contract
    allows UTF-8 and Windows-1252 only.

    >>> wide_encoding("response_id,mode".encode("utf-16")), wide_encoding("response_id".encode("utf-16-be"))
    ('UTF-16', 'UTF-16')
    >>> wide_encoding(b"response_id,mode") is None
    True
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "UTF-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16"
    sample = data[:4096]
    halves = sample[0::2], sample[1::2]
    if len(sample) < 8:
        return None
    nul_shares = [half.count(0) / len(half) for half in halves]
    if max(nul_shares) >= 0.9 and min(nul_shares) <= 0.1:  # ASCII text with a NUL beside every character
        return "UTF-16"
    return None


def decode_csv_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252; strictly, never a silent latin-1. UTF-16
    and UTF-32 (not allowed by the contract) are named as such, not called binary."""
    if encoding := wide_encoding(data):
        raise DeliveryRejected(f"is {encoding} text, which the contract does not allow (UTF-8 or Windows-1252): "
                               f"{UTF16_ADVICE}")  # fmt: skip
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if data.startswith(codecs.BOM_UTF8):
            raise DeliveryRejected(
                "cannot be decoded: it starts with a UTF-8 byte-order mark but is not valid UTF-8 (mixed encodings?)"
            ) from None
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise DeliveryRejected("cannot be decoded: it is neither UTF-8 nor Windows-1252 text") from None


def read_csv_records(data: bytes) -> list[list[str]]:
    """RFC 4180 records (quoted commas, quotes and newlines; CRLF or LF).

    Fields may be longer than the csv module's default limit (128 KiB): an over-long
    comment is a row to quarantine (max_length), not a reason to reject the file.
    """
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARACTERS))
    text = decode_csv_bytes(data)
    if "\x00" in text:
        raise DeliveryRejected("cannot be read as CSV: it contains NUL bytes (is it a binary file?)")
    try:
        return list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        raise DeliveryRejected(f"cannot be read as CSV: {error}") from None


def excel_cell_text(value: object) -> str:
    """An XLSX cell as the text a CSV would have carried.

    Date-times become dates: the only date-time in the contract is interview_date, and
    Excel often stores a time of day with it.

    >>> excel_cell_text(5.0), excel_cell_text(datetime(2023, 6, 1, 10, 30)), excel_cell_text(None)
    ('5', '2023-06-01', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def refuse_zip_bomb(data: bytes) -> None:
    """Reject a workbook whose parts would unpack to an absurd size, before unpacking any."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile:
        raise DeliveryRejected("cannot be read as XLSX (BadZipFile)") from None
    too_big = unpacked > MAX_XLSX_UNCOMPRESSED_BYTES
    suspicious = unpacked > 100 * 1024**2 and unpacked > MAX_XLSX_COMPRESSION_RATIO * len(data)
    if too_big or suspicious:
        raise DeliveryRejected(f"cannot be read as XLSX: it would unpack to {unpacked:,} bytes (a zip bomb?)")


def read_xlsx_records(data: bytes) -> list[list[str]]:
    """Rows of the first worksheet as text (real Excel dates and numbers converted).

    The sheet's stored dimensions are ignored (some writers under-state them, which
    would silently drop rows and columns); cells are read as far as they go. A sheet
    row ends at its last stored cell, so rows are padded to the header's width: in XLSX,
    unlike CSV, a short row is normal.
    """
    import openpyxl  # imported here: only XLSX deliveries pay for it

    refuse_zip_bomb(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a corrupt workbook raises zip, XML, key and value errors alike
        raise DeliveryRejected(f"cannot be read as XLSX ({type(error).__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        rows = [[excel_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    except Exception as error:
        raise DeliveryRejected(f"cannot be read as XLSX ({type(error).__name__})") from None
    finally:
        workbook.close()
    width = len(rows[0]) if rows else 0
    return [row + [""] * (width - len(row)) for row in rows]


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


def reportable_column(name: str, position: int) -> str:
    """An unknown header as it may be reported and stored: a code-like name as it is;
    anything else (it could be a person's name) by its position only.

    >>> reportable_column("interviewer_notes", 80), reportable_column("sarah jones", 81), reportable_column("", 82)
    ('interviewer_notes', '(column 81)', '(column 82)')
    """
    from victim_voice.protection.redaction import is_first_name, is_last_name

    code_like = re.fullmatch(r"[a-z][a-z_]{0,39}", name) is not None  # no digits: "ab123456c" is an NI number
    if code_like and not any(is_first_name(part) or is_last_name(part) for part in name.split("_")):
        return name
    return f"(column {position})"


def check_header(header: list[str], book: Codebook, rows_in_file: int) -> None:
    """Reject a header that repeats a codebook column or lacks a required one."""
    named = [h for h in header if h]
    known = set(book.column_names)
    repeated = sorted({h for h in named if h in known and named.count(h) > 1})
    if repeated:
        raise DeliveryRejected(f"has the column(s) {', '.join(repeated)} more than once in its header", rows_in_file)
    missing = [c for c in book.required_columns if c not in named]
    if missing:
        raise DeliveryRejected(f"lacks required column(s): {', '.join(missing)}", rows_in_file)


def record_shape(record: list[str], width: int) -> str | None:
    """``"short"`` or ``"long"`` when a record does not fit a header of ``width`` cells.

    Blank cells past the header's end (a trailing comma) are harmless and ignored.

    >>> record_shape(["a", "b"], 3), record_shape(["a", "b", "c", ""], 3), record_shape(["a", "b", "c", "d"], 3)
    ('short', None, 'long')
    """
    if len(record) < width:
        return "short"
    if any(cell.strip() for cell in record[width:]):
        return "long"
    return None


def records_to_frame(
    records: list[list[str]], book: Codebook
) -> tuple[pd.DataFrame, list[int], list[str | None], tuple[str, ...]]:
    """Match the header to the codebook and keep known columns, all as ``str``.

    Fully blank records (a trailing ",,,," line) are skipped; every other record is a
    data row, numbered from 1. A record with fewer or more cells than the header (a
    truncated upload, a stray line break or comma) is kept and marked, so validation
    quarantines it rather than loading misplaced values.
    """
    if not records or not any(c.strip() for c in records[0]):
        raise DeliveryRejected("has no header row")
    data = [(n, record) for n, record in enumerate(records[1:], start=1) if any(c.strip() for c in record)]
    header = to_codebook_names(normalise_header(records[0]), book)
    check_header(header, book, rows_in_file=len(data))
    if not data:
        raise DeliveryRejected("has no data rows", rows_in_file=0)
    known = set(book.column_names)
    ignored = tuple(dict.fromkeys(reportable_column(h, i + 1) for i, h in enumerate(header) if h not in known))
    width = len(header)
    # Each codebook column's cell by position; a column the file lacks (an optional one)
    # reads as blank, from a blank cell added after the header's width.
    pick = itemgetter(*[header.index(c) if c in header else width for c in book.column_names])
    lacks_columns = not set(book.column_names) <= set(header)

    def cells(record: list[str]) -> tuple[str, ...]:
        if len(record) >= width and not lacks_columns:
            return pick(record)
        return pick([*record[:width], *[""] * (width - len(record)), ""])

    rows = [cells(record) for _, record in data]
    numbers = [n for n, _ in data]
    shapes = [record_shape(record, width) for _, record in data]
    frame = pd.DataFrame(rows, columns=list(book.column_names), dtype="str")
    return frame, numbers, shapes, ignored


def read_delivery(
    path: Path, book: Codebook | None = None, data: bytes | None = None, run_date: date | None = None
) -> Delivery:
    """Read one delivery file (or its bytes, already read) as text, or raise :class:`DeliveryRejected`
    (its name is checked against ``run_date``, default today)."""
    book = book or load_codebook()
    name = parse_delivery_name(path.name, book, run_date)
    if name.problem is not None:
        raise DeliveryRejected(name.problem)
    if data is None:
        data = path.read_bytes()
    if reason := too_large(len(data)):
        raise DeliveryRejected(reason)
    records = read_xlsx_records(data) if path.suffix == ".xlsx" else read_csv_records(data)
    frame, numbers, shapes, ignored = records_to_frame(records, book)
    return Delivery(name, frame, numbers, shapes, ignored)
