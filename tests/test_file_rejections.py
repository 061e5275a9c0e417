"""Every way a whole file is rejected: recorded with its reason, nothing of it loaded."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import RUN_DATE, base_row, write_csv
from victim_voice.delivery.outcome import Status
from victim_voice.ingestion.run import ingest_landing
from victim_voice.settings import Settings
from warehouse.db import open_writer


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


UTF16 = (
    "the file is UTF-16 text, which the contract does not allow (UTF-8 or Windows-1252): save it as UTF-8 "
    "(CSV UTF-8 in Excel)"
)
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
        "the file is misnamed: its period 2024-13 has no such month",
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
    "UTF-16 with a byte-order mark (Excel's Unicode Text)": (
        "VictimVoice_2024-05_01.csv",
        lambda p: write_csv(p, [base_row()], encoding="utf-16"),
        None,
        UTF16,
    ),
    "UTF-16 without a byte-order mark": (
        "VictimVoice_2024-05_01.csv",
        lambda p: write_csv(p, [base_row()], encoding="utf-16-le"),
        None,
        UTF16,
    ),
    "a period after the month after the run": (
        "VictimVoice_2099-12_01.csv",
        lambda p: write_csv(p, [base_row()]),
        None,
        "the file is misnamed: its period 2099-12 is not from 2023-04 to 2024-07 (the month after the run)",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_file_is_rejected_whole_with_its_reason(case: tuple, settings: Settings) -> None:
    file_name, write, rows_in_file, reason = case
    write(settings.landing / file_name)

    outcomes = ingest_landing(settings, RUN_DATE)

    assert [(o.file_name, o.status, o.rows_in_file, o.reason) for o in outcomes] == [
        (file_name, Status.REJECTED, rows_in_file, reason)
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


def truncated_workbook_xml(path: Path) -> None:
    import io
    import zipfile

    import openpyxl

    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(list(base_row()))
    workbook.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data[: len(data) // 2] if item.filename == "xl/workbook.xml" else data)


def test_a_poisoned_workbook_is_rejected_and_the_next_file_still_loads(settings: Settings) -> None:
    truncated_workbook_xml(settings.landing / "VictimVoice_2024-04_01.xlsx")
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row()])
    outcomes = ingest_landing(settings, RUN_DATE)
    assert [(o.status, o.reason) for o in outcomes] == [
        (Status.REJECTED, "the file cannot be read as XLSX (ParseError)"),
        (Status.LOADED, None),
    ]


def test_an_unreadable_file_is_reported_and_left_for_the_next_run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row()])
    real_open = os.open

    def open_file(path: object, flags: int, *args: object) -> int:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", open_file)
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert (outcome.status, outcome.reason) == (
        Status.REJECTED,
        "the file cannot be read (Permission denied); it will be tried again next run",
    )
    monkeypatch.undo()
    monkeypatch.setenv("VICTIM_VOICE_PSEUDONYM_KEY", "test-pseudonym-key-0123456789abcdef")
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert outcome.status == Status.LOADED


def test_a_huge_comment_quarantines_the_row_not_the_file(settings: Settings) -> None:
    write_csv(
        settings.landing / "VictimVoice_2024-05_01.csv",
        [base_row(), base_row(response_id="VV00000002", comment_police="x" * 200_000)],
    )
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert (outcome.status, outcome.rows_loaded, outcome.rows_quarantined) == (Status.LOADED, 1, 1)


def test_a_repeated_unknown_column_is_ignored_not_rejected(settings: Settings) -> None:
    row = base_row()
    path = write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [row])
    header, rest = path.read_bytes().split(b"\r\n", 1)
    first, _, values = rest.partition(b"\r\n")
    path.write_bytes(header + b",notes,Notes\r\n" + first + b",a,b\r\n" + values)
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert (outcome.status, outcome.rows_loaded, outcome.ignored_columns) == (Status.LOADED, 1, ("notes",))


def test_a_misnamed_file_is_stored_under_a_label_and_recorded_once(settings: Settings) -> None:
    write_csv(settings.landing / "Sarah Jones complaint.csv", [base_row()])
    ingest_landing(settings, RUN_DATE)
    assert ingest_landing(settings, RUN_DATE) == []  # seen before: not recorded twice
    with open_writer(settings.warehouse) as con:
        [(file_name,)] = con.sql("select file_name from audit.deliveries").fetchall()
    assert file_name.startswith("(a misnamed file, name hash ") and "Sarah" not in file_name


def test_a_file_still_growing_waits_for_the_next_run(settings: Settings) -> None:
    import dataclasses
    import os
    import time

    uploading = write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row()])
    settled = write_csv(settings.landing / "VictimVoice_2024-04_01.csv", [base_row(response_id="VV00000009")])
    an_hour_ago = time.time() - 3600
    os.utime(settled, (an_hour_ago, an_hour_ago))
    patient = dataclasses.replace(settings, settle_seconds=60)
    assert [o.file_name for o in ingest_landing(patient, RUN_DATE)] == [settled.name]
    os.utime(uploading, (an_hour_ago, an_hour_ago))  # the upload has finished
    assert [o.file_name for o in ingest_landing(patient, RUN_DATE)] == [uploading.name]


def current_sources(settings: Settings) -> dict[str, str]:
    with open_writer(settings.warehouse) as con:
        return dict(con.sql("select response_id, source_file from marts.responses").fetchall())


@pytest.mark.parametrize(
    "impostor",
    ["VictimVoice_\uff12\uff10\uff12\uff13-08_02.csv", "VictimVoice_2099-12_01.csv", "VictimVoice_0000-01_01.csv"],
    ids=["full-width digits", "2099", "0000"],
)
def test_a_misnamed_period_never_beats_a_real_correction(settings: Settings, impostor: str) -> None:
    write_csv(settings.landing / impostor, [base_row(mode="PAPER")])
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row(mode="ONLINE")])
    write_csv(settings.landing / "VictimVoice_2024-05_02.csv", [base_row(mode="PHONE")])  # the real correction
    outcomes = ingest_landing(settings, RUN_DATE)
    assert [o.status for o in outcomes] == [Status.LOADED, Status.LOADED, Status.REJECTED]  # misnamed sorts last
    assert current_sources(settings) == {"VV00000001": "VictimVoice_2024-05_02.csv"}
    with open_writer(settings.warehouse) as con:
        [(period, reason)] = con.sql("select period, reason from audit.deliveries where status = 'REJECTED'").fetchall()
    assert period is None and reason.startswith("the file is misnamed: its ")


def test_a_name_with_a_trailing_new_line_is_stored_under_a_label(settings: Settings) -> None:
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv\n", [base_row()])
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert outcome.status is Status.REJECTED
    with open_writer(settings.warehouse) as con:
        [(file_name, reason)] = con.sql("select file_name, reason from audit.deliveries").fetchall()
    assert file_name.startswith("(a misnamed file, name hash ") and "\n" not in file_name
    assert reason == "the file is misnamed: its name holds control or invisible characters (\\n)"


def test_a_delivery_early_for_its_period_loads_once_its_period_comes(settings: Settings) -> None:
    write_csv(settings.landing / "VictimVoice_2024-08_01.csv", [base_row(interview_date="2024-06-01")])
    [early] = ingest_landing(settings, RUN_DATE)
    assert early.status is Status.REJECTED and "2024-08 is not from 2023-04 to 2024-07" in early.reason
    assert ingest_landing(settings, RUN_DATE) == []  # recorded once
    [loaded] = ingest_landing(settings, date(2024, 7, 1))  # the same bytes, now in time
    assert loaded.status is Status.LOADED
    assert ingest_landing(settings, date(2024, 7, 2)) == []


def test_folders_pipes_sockets_and_links_named_as_deliveries_are_recorded_once_and_never_opened(
    settings: Settings, tmp_path: Path
) -> None:
    landing = settings.landing
    (landing / "VictimVoice_2024-05_01.csv").mkdir()
    os.mkfifo(landing / "VictimVoice_2024-05_02.csv")  # opened for reading, it would wait for a writer forever
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(landing / "VictimVoice_2024-05_03.csv"))
        os.symlink(write_csv(tmp_path / "elsewhere.csv", [base_row()]), landing / "VictimVoice_2024-05_04.csv")
        (landing / "archive").mkdir()  # a folder kept beside the deliveries is not one
        outcomes = run_within(settings, seconds=60)
        assert [(o.file_name, o.status, o.reason) for o in outcomes] == [
            (f"VictimVoice_2024-05_0{n}.csv", Status.REJECTED, f"the file is {kind}, {NOT_OPENED}")
            for n, kind in enumerate(["a folder", "a named pipe (FIFO)", "a socket", "a symbolic link"], start=1)
        ]
        assert run_within(settings, seconds=60) == []  # recorded once, not on every run
    with open_writer(settings.warehouse) as con:
        assert con.sql("select count(*), count(distinct sha256) from audit.deliveries").fetchall() == [(4, 4)]
    (landing / "VictimVoice_2024-05_01.csv").rmdir()
    write_csv(landing / "VictimVoice_2024-05_01.csv", [base_row()])  # a real file under the folder's name is new
    assert [o.status for o in run_within(settings, seconds=60)] == [Status.LOADED]


NOT_OPENED = "not a regular file: it was not opened; a delivery must be a regular file"


def run_within(settings: Settings, seconds: float) -> list:
    """ingest_landing in a thread, failing (rather than hanging the suite) if it blocks."""
    done: list = []
    worker = threading.Thread(target=lambda: done.append(ingest_landing(settings, RUN_DATE)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert done, f"the run was still blocked after {seconds} s"
    return done[0]


def test_a_huge_header_is_stored_capped_with_a_count(settings: Settings) -> None:
    row = base_row()
    path = write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [row])
    header, first = path.read_bytes().split(b"\r\n")[:2]
    extra = 100_000
    path.write_bytes(header + b"," * extra + b"\r\n" + first + b"," * extra + b"\r\n")
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert (outcome.status, len(outcome.ignored_columns)) == (Status.LOADED, extra)
    with open_writer(settings.warehouse) as con:
        [(ignored,)] = con.sql("select ignored_columns from audit.deliveries").fetchall()
    assert ignored.startswith("(column 78), (column 79), ") and ignored.endswith(" … and 99,980 more columns")
    assert len(ignored) < 400


def test_every_text_stored_in_audit_deliveries_is_capped(settings: Settings) -> None:
    from warehouse.storage import record_delivery

    with open_writer(settings.warehouse) as con:
        row = {"delivery_id": 1, "file_name": "x", "sha256": "y", "status": "REJECTED", "reason": "r" * 1_601_000}
        record_delivery(con, {**row, "rows_loaded": 0, "rows_quarantined": 0, "rows_corrected": 0})
        [(reason,)] = con.sql("select reason from audit.deliveries").fetchall()
    assert reason == "r" * 1000 + "… and 1,600,000 more characters"
