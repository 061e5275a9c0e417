"""Every way a whole file is rejected: recorded with its reason, nothing of it loaded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import RUN_DATE, base_row, write_csv
from warehouse.db import open_writer
from warehouse.ingestion import ingest_landing
from warehouse.settings import Settings


def header_only(path: Path) -> None:
    write_csv(path, [base_row()])
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\r\n,,,\r\n", encoding="utf-8")


def without_column(column: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        rows = [base_row(), base_row(response_id="VV00000002")]
        write_csv(path, [{k: v for k, v in r.items() if k != column} for r in rows])

    return write


def repeated_column(path: Path) -> None:
    write_csv(path, [base_row()])
    header, rest = path.read_bytes().split(b"\r\n", 1)
    path.write_bytes(header + b",MODE\r\n" + rest)


def undecodable(path: Path) -> None:
    write_csv(path, [base_row()])
    path.write_bytes(path.read_bytes().replace(b"PHONE", b"PH\x81NE"))  # 0x81: neither UTF-8 nor cp1252


def broken_quotes(path: Path) -> None:
    write_csv(path, [base_row()])
    path.write_bytes(path.read_bytes() + b'VV00000002,"unterminated\r\n')


def corrupt_xlsx(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")


CASES = {
    "misnamed": (
        "Victim Voice June.csv",
        lambda p: write_csv(p, [base_row()]),
        None,
        "the file is misnamed: a delivery must be named VictimVoice_<YYYY-MM>_<NN>.csv or .xlsx",
    ),
    "impossible month": (
        "VictimVoice_2024-13_01.csv",
        lambda p: write_csv(p, [base_row()]),
        None,
        "the file is misnamed: a delivery must be named VictimVoice_<YYYY-MM>_<NN>.csv or .xlsx",
    ),
    "wrong extension": (
        "VictimVoice_2024-05_01.txt",
        lambda p: write_csv(p, [base_row()]),
        None,
        "the file is misnamed: a delivery must be named VictimVoice_<YYYY-MM>_<NN>.csv or .xlsx",
    ),
    "empty file": ("VictimVoice_2024-05_01.csv", lambda p: p.write_bytes(b""), None, "the file has no header row"),
    "no data rows": ("VictimVoice_2024-05_01.csv", header_only, 0, "the file has no data rows"),
    "missing required column": (
        "VictimVoice_2024-05_01.csv",
        without_column("case_outcome"),
        2,
        "the file lacks required column(s): case_outcome",
    ),
    "repeated column": (
        "VictimVoice_2024-05_01.csv",
        repeated_column,
        1,
        "the file has the column(s) mode more than once in its header",
    ),
    "undecodable": (
        "VictimVoice_2024-05_01.csv",
        undecodable,
        None,
        "the file cannot be decoded: it is neither UTF-8 nor Windows-1252 text",
    ),
    "broken quoting": (
        "VictimVoice_2024-05_01.csv",
        broken_quotes,
        None,
        "the file cannot be read as CSV: unexpected end of data",
    ),
    "corrupt xlsx": ("VictimVoice_2024-05_01.xlsx", corrupt_xlsx, None, "the file cannot be read as XLSX (BadZipFile)"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_file_is_rejected_whole_with_its_reason(case: tuple, settings: Settings) -> None:
    file_name, write, rows_in_file, reason = case
    write(settings.landing / file_name)

    outcomes = ingest_landing(settings, RUN_DATE)

    assert [(o.file_name, o.status, o.rows_in_file, o.reason) for o in outcomes] == [
        (file_name, "REJECTED", rows_in_file, reason)
    ]
    with open_writer(settings.warehouse) as con:
        assert con.sql("select status, rows_loaded, rows_quarantined, reason from audit.deliveries").fetchall() == [
            ("REJECTED", 0, 0, reason)
        ]
        assert con.sql("select count(*) from core.response_versions").fetchall() == [(0,)]
        assert con.sql("select count(*) from audit.quarantine").fetchall() == [(0,)]


def test_files_still_uploading_and_hidden_files_are_left_alone(settings: Settings) -> None:
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv.part", [base_row()])
    write_csv(settings.landing / ".DS_Store", [base_row()])
    assert ingest_landing(settings, RUN_DATE) == []
