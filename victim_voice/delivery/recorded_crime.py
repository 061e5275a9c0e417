"""The force's recorded-crime counts files in the landing folder: naming and reading.

A counts file is named ``RecordedCrime_<YYYY-MM>_<NN>.csv`` (the month its counts are for,
and a sequence: a later one for the same month is a correction). Any landing file whose
name starts ``RecordedCrime`` (any case) is taken for one, so a misnamed counts file is
rejected as such, never read as the supplier's.

Example::

    >>> parse_counts_name("RecordedCrime_2024-05_02.csv", run_date=date(2024, 6, 10))
    DeliveryName(file_name='RecordedCrime_2024-05_02.csv', period='2024-05', seq=2, problem=None)
    >>> is_counts_file("recordedcrime_2024-05.csv"), is_counts_file("VictimVoice_2024-05_01.csv")
    (True, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from schemas.codebook import load_codebook
from schemas.recorded_crime import COLUMNS, FILE_NAME_PATTERN
from victim_voice.delivery.files import DeliveryName, escape_controls, month_after, too_large
from victim_voice.delivery.reading import DeliveryRejected, normalise_header, read_csv_records

COUNTS_MISNAMED = "is misnamed: a recorded-crime file must be named RecordedCrime_<YYYY-MM>_<NN>.csv"


def is_counts_file(file_name: str) -> bool:
    """A landing file meant as the force's counts: its name starts ``RecordedCrime`` (any case)."""
    return file_name.strip().casefold().startswith("recordedcrime")


def parse_counts_name(file_name: str, run_date: date | None = None) -> DeliveryName:
    """Month and sequence from ``RecordedCrime_<YYYY-MM>_<NN>.csv``: a real month from the
    survey's first to the month after ``run_date`` (default today); otherwise misnamed.

    >>> parse_counts_name("RecordedCrime_2024-13_01.csv", run_date=date(2025, 1, 1)).problem
    'is misnamed: its month 2024-13 has no such month'
    """
    if any(not c.isprintable() for c in file_name):
        shown = escape_controls("".join(sorted({c for c in file_name if not c.isprintable()})[:5]))
        problem = f"is misnamed: its name holds control or invisible characters ({shown})"
        return DeliveryName(file_name, None, None, problem)
    match = FILE_NAME_PATTERN.fullmatch(file_name)
    if match is None:
        return DeliveryName(file_name, None, None, COUNTS_MISNAMED)
    month = match["period"]
    first, last = load_codebook().earliest_interview_date.strftime("%Y-%m"), month_after(run_date or date.today())
    if not 1 <= int(month[5:]) <= 12:
        return DeliveryName(file_name, None, None, f"is misnamed: its month {month} has no such month")
    if not first <= month <= last:
        return DeliveryName(file_name, None, None, f"is misnamed: its month {month} is not from {first} to {last}")
    return DeliveryName(file_name, month, int(match["seq"]))


@dataclass(frozen=True)
class CountsFile:
    """A counts file read as text: the four columns, one row per data record."""

    name: DeliveryName
    frame: pd.DataFrame
    row_numbers: list[int]  # 1 = first data record after the header (a short record's missing cells blank)


def read_counts_file(file_name: str, data: bytes, run_date: date | None = None) -> CountsFile:
    """Read a counts file's bytes as text, or raise :class:`DeliveryRejected` saying why."""
    name = parse_counts_name(file_name, run_date)
    if name.problem is not None:
        raise DeliveryRejected(name.problem)
    if reason := too_large(len(data)):
        raise DeliveryRejected(reason)
    records = [r for r in read_csv_records(data) if any(cell.strip() for cell in r)]
    if not records:
        raise DeliveryRejected("is empty: it has no header row")
    header, body = normalise_header(records[0]), records[1:]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise DeliveryRejected(f"lacks required column(s): {', '.join(missing)}", len(body))
    if any(header.count(c) > 1 for c in COLUMNS):
        raise DeliveryRejected("has one of month, area, crime_group, victims more than once in its header", len(body))
    if not body:
        raise DeliveryRejected("has no rows of counts (a month with no victims still lists its rows as 0)", 0)
    positions = [header.index(c) for c in COLUMNS]
    cells = [[r[p] if p < len(r) else "" for p in positions] for r in body]
    frame = pd.DataFrame(cells, columns=list(COLUMNS), dtype="object")
    return CountsFile(name, frame, list(range(1, len(body) + 1)))
