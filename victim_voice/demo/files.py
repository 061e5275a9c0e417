"""Writing a delivery as the supplier would: CSV (UTF-8, UTF-8 with BOM, Windows-1252) or
XLSX, reproducibly (:func:`write_delivery`).
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from datetime import date
from io import BytesIO
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from schemas.codebook import DATE, INT, load_codebook
from victim_voice.demo.distributions import BLANK, XLSX_TIMESTAMP


def write_delivery(
    df: pd.DataFrame, path: Path, *, encoding: str = "utf-8", bom: bool = False, line_ending: str = "\r\n"
) -> Path:
    """Write a delivery: CSV (RFC 4180 quoting) or, for a ``.xlsx`` path, an Excel workbook.

    CSV: ``encoding`` utf-8 (``bom`` adds a byte-order mark) or cp1252 (characters it
    cannot encode become "?"); ``line_ending`` "\\r\\n" or "\\n" ends records (newlines
    inside comments stay as they are, inside quotes). XLSX: see :func:`_write_xlsx`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(df, path)
        return path
    codec = codecs.lookup(encoding).name
    if bom and codec != "utf-8":
        raise ValueError("a byte-order mark is only written for UTF-8")
    file_encoding = "utf-8-sig" if bom else codec
    errors = "strict" if codec.startswith("utf") else "replace"
    with path.open("w", encoding=file_encoding, errors=errors, newline="") as handle:
        writer = csv.writer(handle, lineterminator=line_ending, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(list(df.columns))
        writer.writerows(df.itertuples(index=False, name=None))
    return path


def _excel_value(column_type: str | None, value: str) -> object:
    """A cell value: real dates for ISO interview dates, numbers for whole-number answers."""
    if value == BLANK:
        return None
    if column_type == DATE and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    if column_type == INT and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return value


def _write_xlsx(df: pd.DataFrame, path: Path) -> None:
    """First sheet, header in row 1; dates and numbers typed, everything else stored as text."""
    types = {spec.name: spec.type for spec in load_codebook().columns}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Responses"
    sheet.append(list(df.columns))
    column_types = [types.get(name) for name in df.columns]
    for row_number, row in enumerate(df.itertuples(index=False, name=None), start=2):
        for column_number, (column_type, value) in enumerate(zip(column_types, row, strict=True), start=1):
            cell = sheet.cell(row=row_number, column=column_number, value=_excel_value(column_type, value))
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, even if it starts with "="
                cell.number_format = "@"
    buffer = BytesIO()
    workbook.properties.created = XLSX_TIMESTAMP
    workbook.save(buffer)
    path.write_bytes(_reproducible_xlsx(buffer.getvalue()))


def _reproducible_xlsx(content: bytes) -> bytes:
    """The same workbook with fixed time stamps, so equal data gives byte-identical files."""
    stamp = XLSX_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    output = BytesIO()
    with zipfile.ZipFile(BytesIO(content)) as source, zipfile.ZipFile(output, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            entry = zipfile.ZipInfo(info.filename, date_time=XLSX_TIMESTAMP.timetuple()[:6])
            target.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED)
    return output.getvalue()
