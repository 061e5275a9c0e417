"""Reading deliveries as text: encodings, line endings, quoting, XLSX cells, headers, dates, codes."""

from __future__ import annotations

import csv
import io
import re
import string
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.codebook import load_codebook
from schemas.delivery import normalise_text, parse_dates
from tests.conftest import base_row, write_csv
from victim_voice.delivery.files import parse_delivery_name
from victim_voice.delivery.reading import excel_cell_text, read_delivery, records_to_frame

NAME = "VictimVoice_2024-05_01"
TEXT_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def write_xlsx(path: Path, rows: list[dict[str, object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    workbook.save(path)
    return path


def test_utf8_bom_crlf_and_quoted_multiline_comment(tmp_path: Path) -> None:
    comment = 'Line one, with a comma\r\nline "two"\nline three'
    path = write_csv(tmp_path / f"{NAME}.csv", [base_row(comment_police=comment)], encoding="utf-8-sig")
    frame = read_delivery(path).frame
    assert frame.loc[0, "comment_police"] == comment
    assert frame.loc[0, "response_id"] == "VV00000001"  # the BOM is not part of the first header


def test_windows_1252_file_is_decoded(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / f"{NAME}.csv", [base_row(comment_police="The officer’s “help” cost £0")], encoding="cp1252"
    )
    assert read_delivery(path).frame.loc[0, "comment_police"] == "The officer’s “help” cost £0"


def test_lf_line_endings(tmp_path: Path) -> None:
    path = write_csv(tmp_path / f"{NAME}.csv", [base_row(), base_row(response_id="VV00000002")], newline="\n")
    delivery = read_delivery(path)
    assert delivery.frame["response_id"].tolist() == ["VV00000001", "VV00000002"]
    assert delivery.row_numbers == [1, 2]


def test_na_is_a_code_not_a_missing_value(tmp_path: Path) -> None:
    path = write_csv(tmp_path / f"{NAME}.csv", [base_row(vcop_02="NA", vcop_03="N/A", vcop_04="None")])
    frame = read_delivery(path).frame
    assert frame.loc[0, ["vcop_02", "vcop_03", "vcop_04"]].tolist() == ["NA", "N/A", "None"]


def test_headers_match_case_insensitively_and_unknown_columns_are_reported(tmp_path: Path) -> None:
    row = {(" " + k.upper() + " " if k.startswith("svc_") else k): v for k, v in base_row().items()}
    row["Interviewer_Notes"] = "ignored"
    row["Sarah Jones"] = "a header can say anything"
    delivery = read_delivery(write_csv(tmp_path / f"{NAME}.csv", [row]))
    assert delivery.frame.loc[0, "svc_IDVA_status"] == "SUPPORTED"
    assert delivery.ignored_columns == ("interviewer_notes", f"(column {len(row)})")  # a name is not repeated
    assert "interviewer_notes" not in delivery.frame.columns


def test_missing_optional_columns_read_as_blank(tmp_path: Path) -> None:
    row = {k: v for k, v in base_row().items() if not k.startswith("vcop_")}
    frame = read_delivery(write_csv(tmp_path / f"{NAME}.csv", [row])).frame
    assert frame.loc[0, "vcop_01"] == ""


def test_blank_records_are_skipped_but_row_numbers_follow_the_file(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / f"{NAME}.csv", [base_row(), {k: "" for k in base_row()}, base_row(response_id="VV00000003")]
    )
    delivery = read_delivery(path)
    assert delivery.row_numbers == [1, 3]


def test_xlsx_real_dates_numbers_and_text(tmp_path: Path) -> None:
    row: dict[str, object] = dict(base_row())
    row.update(interview_date=datetime(2024, 5, 14), sat_overall=6, svc_IDVA_days=2.0, crime_reference="54123456789")
    delivery = read_delivery(write_xlsx(tmp_path / f"{NAME}.xlsx", [row]))
    first = delivery.frame.loc[0]
    assert (first["interview_date"], first["sat_overall"], first["svc_IDVA_days"]) == ("2024-05-14", "6", "2")
    assert first["crime_reference"] == "54123456789"
    assert first["vcop_08"] == "NA"


def test_excel_cell_text() -> None:
    assert excel_cell_text(date(2024, 1, 2)) == "2024-01-02"
    assert excel_cell_text(3.5) == "3.5"
    assert excel_cell_text(None) == ""


def test_delivery_names() -> None:
    assert parse_delivery_name("VictimVoice_2023-06_02.xlsx").sort_key == ("2023-06", 2, "VictimVoice_2023-06_02.xlsx")
    assert parse_delivery_name("victimvoice_2023-06_02.csv").period is None
    assert parse_delivery_name("VictimVoice_2023-06_2.csv").period is None


RUN = date(2024, 6, 30)
NOT_ASCII = "its digits must be ASCII 0-9 (it holds other digits, such as full-width ones)"
MISNAMED_BY = {
    "VictimVoice_\uff12\uff10\uff12\uff13-08_02.csv": NOT_ASCII,  # full-width
    "VictimVoice_2024-05_\u0660\u0661.csv": NOT_ASCII,  # Arabic-Indic
    "VictimVoice_2024-05_01.csv\n": "its name holds control or invisible characters (\\n)",
    "VictimVoice_2024-05_01.csv\r": "its name holds control or invisible characters (\\r)",
    "VictimVoice_2024-05\x1b_01.csv": "its name holds control or invisible characters (\\x1b)",
    "VictimVoice_2024-05_01\u202ecsv.xlsx": "its name holds control or invisible characters (\\u202e)",
    "VictimVoice_2024-05_01.csv\u200b": "its name holds control or invisible characters (\\u200b)",
    "VictimVoice_2099-12_01.csv": "its period 2099-12 is not from 2023-04 to 2024-07 (the month after the run)",
    "VictimVoice_0000-01_01.csv": "its period 0000-01 is not from 2023-04 to 2024-07 (the month after the run)",
    "VictimVoice_2023-03_01.csv": "its period 2023-03 is not from 2023-04 to 2024-07 (the month after the run)",
    "VictimVoice_2024-08_01.csv": "its period 2024-08 is not from 2023-04 to 2024-07 (the month after the run)",
    "VictimVoice_2024-00_01.csv": "its period 2024-00 has no such month",
}


@pytest.mark.parametrize("file_name", MISNAMED_BY, ids=[repr(n) for n in MISNAMED_BY])
def test_a_name_is_misnamed_with_its_reason_and_never_sorts_as_a_period(file_name: str) -> None:
    name = parse_delivery_name(file_name, run_date=RUN)
    assert (name.period, name.seq, name.problem) == (None, None, f"is misnamed: {MISNAMED_BY[file_name]}")
    assert name.sort_key > parse_delivery_name("VictimVoice_2024-07_99.xlsx", run_date=RUN).sort_key


def test_periods_run_from_the_survey_start_to_the_month_after_the_run() -> None:
    assert parse_delivery_name("VictimVoice_2023-04_01.csv", run_date=RUN).period == "2023-04"
    assert parse_delivery_name("VictimVoice_2024-07_01.csv", run_date=RUN).period == "2024-07"
    assert parse_delivery_name("VictimVoice_2025-01_01.csv", run_date=date(2024, 12, 3)).period == "2025-01"


@settings(max_examples=200, deadline=None)
@given(inserted=st.text(min_size=1, max_size=3), where=st.integers(min_value=0, max_value=26))
def test_only_an_ascii_name_of_the_pattern_is_a_delivery(inserted: str, where: int) -> None:
    """Whatever is put into a good name, a period comes out only if the result is exactly the
    pattern in ASCII: never a full-width digit, a new line or an invisible character."""
    good = "VictimVoice_2024-05_01.csv"
    file_name = good[:where] + inserted + good[where:]
    name = parse_delivery_name(file_name, run_date=RUN)
    if name.period is not None:
        assert file_name.isascii() and file_name.isprintable()
        assert re.fullmatch(r"VictimVoice_[0-9]{4}-[0-9]{2}_[0-9]{2}\.(csv|xlsx)", file_name)
    else:
        assert name.problem.startswith("is misnamed: ")


# --------------------------------------------------------------------------- properties

comments = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from(',"\n\r\t'), max_size=300
)


@TEXT_SETTINGS
@given(comment=comments)
def test_any_comment_round_trips_through_csv(tmp_path: Path, comment: str) -> None:
    buffer = io.StringIO(newline="")
    row = base_row(comment_services=comment)
    writer = csv.DictWriter(buffer, fieldnames=list(row), lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(row)
    path = tmp_path / f"{NAME}.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    assert read_delivery(path).frame.loc[0, "comment_services"] == comment


xlsx_text = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from(',"\n'), max_size=200)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(comment=xlsx_text.filter(lambda s: not s.startswith("=")))
def test_any_comment_round_trips_through_xlsx(tmp_path: Path, comment: str) -> None:
    path = write_xlsx(tmp_path / f"{NAME}.xlsx", [dict(base_row(comment_police=comment))])
    assert read_delivery(path).frame.loc[0, "comment_police"] == comment


@settings(deadline=None)  # a per-example deadline fails under a loaded parallel run, not on slowness
@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)), pad=st.booleans())
def test_dates_parse_iso_and_uk_day_first(day: date, pad: bool) -> None:
    uk = f"{day.day:02d}/{day.month:02d}/{day.year}" if pad else f"{day.day}/{day.month}/{day.year}"
    parsed = parse_dates(pd.Series([day.isoformat(), uk], dtype="str"))
    assert [d.date() for d in parsed] == [day, day]


@settings(deadline=None)  # one example took 400 ms in a full parallel run (the deadline is 200 ms)
@given(
    code=st.sampled_from(["ONLINE", "PHONE", "PAPER"]),
    casing=st.sampled_from([str.lower, str.upper, str.title, lambda s: s[0].lower() + s[1:]]),
    left=st.text(alphabet=" \t", max_size=3),
    right=st.text(alphabet=" \t", max_size=3),
)
def test_codes_in_any_case_and_spacing_normalise(code: str, casing, left: str, right: str) -> None:
    frame = pd.DataFrame([base_row(mode=left + casing(code) + right)], dtype="str")
    assert normalise_text(frame).loc[0, "mode"] == code


def test_printable_ascii_comment_with_every_punctuation(tmp_path: Path) -> None:
    comment = string.punctuation + "\n" + string.ascii_letters
    path = write_csv(tmp_path / f"{NAME}.csv", [base_row(comment_police=comment)])
    assert read_delivery(path).frame.loc[0, "comment_police"] == comment


def test_xlsx_with_understated_dimensions_loses_nothing(tmp_path: Path) -> None:
    """Some writers store a wrong <dimension>; the reader must not trust it."""
    import re
    import zipfile

    rows = [dict(base_row(response_id=f"VV0000000{i}")) for i in range(1, 6)]
    original = write_xlsx(tmp_path / "original.xlsx", rows)
    path = tmp_path / f"{NAME}.xlsx"
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:M3"', data)
            target.writestr(item, data)
    frame = read_delivery(path).frame
    assert len(frame) == 5
    assert frame["svc_IDVA_status"].tolist() == ["SUPPORTED"] * 5  # a column far beyond M


def test_xlsx_date_with_a_time_of_day_is_a_date(tmp_path: Path) -> None:
    row: dict[str, object] = dict(base_row(interview_date=datetime(2024, 5, 14, 10, 30)))
    assert read_delivery(write_xlsx(tmp_path / f"{NAME}.xlsx", [row])).frame.loc[0, "interview_date"] == "2024-05-14"


def test_short_and_long_records_are_marked_but_a_trailing_blank_cell_is_not(tmp_path: Path) -> None:
    path = write_csv(tmp_path / f"{NAME}.csv", [base_row(), base_row(response_id="VV00000002")])
    lines = path.read_bytes().split(b"\r\n")
    lines[1] += b","  # a trailing comma: harmless
    lines[2] = lines[2][: lines[2].index(b"ONGOING") + 7]  # cut short after case_outcome
    path.write_bytes(b"\r\n".join(lines))
    assert read_delivery(path).row_shapes == [None, "short"]


def test_a_bom_file_with_a_windows_byte_is_reported_as_mixed(tmp_path: Path) -> None:
    from victim_voice.delivery.reading import DeliveryRejected

    path = write_csv(tmp_path / f"{NAME}.csv", [base_row()], encoding="utf-8-sig")
    path.write_bytes(path.read_bytes() + b"\x92")
    with pytest.raises(DeliveryRejected, match="byte-order mark but is not valid UTF-8"):
        read_delivery(path)


@pytest.mark.parametrize("extra", [[], ["stray"], ["stray", "cells"]], ids=["fits", "one-long", "two-long"])
@pytest.mark.parametrize("cut", [0, 3], ids=["whole", "short"])
def test_a_column_the_file_lacks_reads_blank_whatever_the_row_shape(extra: list[str], cut: int) -> None:
    """An optional column left out of the header is blank in every row: never a cell borrowed
    from a long row's overflow or a short row's padding."""
    book = load_codebook()
    header = [c for c in book.column_names if c != "comment_police"]
    values = [f"v{i}" for i in range(len(header))]
    record = (values[: len(values) - cut] if cut else values) + extra
    frame, _, shapes, _ = records_to_frame([header, record], book)
    assert frame.loc[0, "comment_police"] == ""
    kept = len(values) - cut
    assert [frame.loc[0, c] for c in header[:kept]] == values[:kept]
    assert shapes == [("short" if cut else "long" if extra else None)]
