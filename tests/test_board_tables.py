"""`victim-voice table`: board tables as XLSX (Analysis Function layout, by gptables) and as CSV
for Excel, from the published cells only; and `query --out`, CSV with a byte-order mark."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.given import build_warehouse, cells
from victim_voice import cli
from victim_voice.outputs.formatting import round_half_away
from warehouse.db import open_writer

BOM = b"\xef\xbb\xbf"
ACCENTED = "Vol à l'étalage et cambriolage — théâtre"  # a label Excel garbles without the BOM


def answers(month: str, crime_group: str, satisfied: int, not_satisfied: int, **more: object) -> list[dict]:
    """Rows of one month and crime group answering sat_overall (6 satisfied, 2 not)."""
    row = {"interview_date": f"{month}-10", "crime_group": crime_group, **more}
    return [{**row, "sat_overall": 6}] * satisfied + [{**row, "sat_overall": 2}] * not_satisfied


def month_rows(month: str) -> list[dict]:
    """A month of answers: theft (many, and the only group asked sat_informed), burglary (enough
    for [u] over a quarter), vehicle crime and rape (too few: withheld)."""
    return [
        *answers(month, "THEFT", 10, 4, sat_informed=6),
        *answers(month, "BURGLARY_RESIDENTIAL", 4, 1),
        *answers(month, "VEHICLE_CRIME", 3, 1),
        *answers(month, "RAPE", 1, 0),
    ]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build_warehouse(
        tmp_path_factory.mktemp("board") / "w.duckdb",
        [month_rows(f"2024-{m:02d}") for m in range(1, 7)],
    )
    with open_writer(path) as con:  # a label with accents, as the reference tables could hold
        con.execute("update reference.crime_groups set crime_group_name = ? where crime_group = 'THEFT'", [ACCENTED])
    return path


def run_table(warehouse: Path, out: Path, *options: str) -> int:
    return cli.main(["table", "--warehouse", str(warehouse), "--out", str(out), *options])


def published(warehouse: Path, metric: str, period: str, value: str) -> tuple:
    [found] = cells(
        warehouse,
        "select denominator, rate, ci_low, ci_high, withheld, indicative from marts.published_metric_values"
        " where metric = ? and period_type = 'quarter' and period = ? and breakdown in ('all', 'crime_group')"
        " and breakdown_value = ?",
        [metric, period, value],
    )
    return found


def table_rows(path: Path) -> tuple[list[str], dict[str, list]]:
    """The table sheet's headings (one line each) and its rows by their first cell."""
    sheet = openpyxl.load_workbook(path)["Table_1"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == "Crime group")
    headings = [" ".join(str(h).split("\n")) for h in rows[start]]
    return headings, {r[0]: tuple(r[1:]) for r in rows[start + 1 :] if r[0]}


@pytest.fixture(scope="module")
def board_xlsx(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "Q1.xlsx"
    options = ["--metrics", "sat_overall,sat_informed", "--by", "crime_group", "--period-type", "quarter"]
    assert cli.main(["table", "--warehouse", str(warehouse), "--out", str(out), *options, "--period", "2024-06"]) == 0
    return out


def test_the_workbook_has_a_cover_contents_notes_and_one_table(board_xlsx: Path) -> None:
    workbook = openpyxl.load_workbook(board_xlsx)
    assert workbook.sheetnames == ["Cover", "Contents", "Notes", "Table_1"]
    title = workbook["Table_1"]["A1"].value
    assert title == (
        "Satisfied with the police: whole experience and kept informed of progress, by crime group: "
        "Q1 2024-25 (Apr–Jun 2024)"
    )
    notes = " ".join(str(c) for row in workbook["Notes"].iter_rows(values_only=True) for c in row if c)
    assert "[c] confidential" in notes and "[u] low reliability" in notes and "Wilson" in notes
    assert workbook["Table_1"].page_setup.orientation == "landscape"


def test_the_figures_are_the_published_cells(board_xlsx: Path, warehouse: Path) -> None:
    headings, rows = table_rows(board_xlsx)
    assert headings[1:5] == [
        "Satisfied with the police: whole experience rate (%)",
        "Satisfied with the police: whole experience lower limit (%)",
        "Satisfied with the police: whole experience upper limit (%)",
        "Satisfied with the police: whole experience answers",
    ]
    assert list(rows) == ["All victims", "Rape", "Residential burglary", "Vehicle offences", ACCENTED]  # codebook order
    for label, code in [("All victims", "all"), (ACCENTED, "THEFT")]:
        denominator, rate, low, high, withheld, indicative = published(warehouse, "sat_overall", "2024-06", code)
        assert not withheld and not indicative
        expected = [round_half_away(100 * v) for v in (rate, low, high)]
        assert rows[label][:4] == (*expected, denominator)
    assert rows[ACCENTED][:4] == (71.4, 56.4, 82.8, 42)  # 30 of 42 satisfied; Wilson at 95% worked by hand


def test_a_withheld_cell_shows_c_and_never_its_number(board_xlsx: Path, warehouse: Path) -> None:
    _, rows = table_rows(board_xlsx)
    assert published(warehouse, "sat_overall", "2024-06", "RAPE")[4]  # suppressed: 3 answers
    assert published(warehouse, "sat_overall", "2024-06", "VEHICLE_CRIME")[4]  # withheld beside it (12)
    assert rows["Rape"][:4] == ("[c]",) * 4
    assert rows["Vehicle offences"][:4] == ("[c]",) * 4
    every_cell = [c for row in rows.values() for c in row]
    assert 3 not in every_cell and 12 not in every_cell  # neither base appears anywhere


def test_low_reliability_and_missing_cells_are_marked(board_xlsx: Path, warehouse: Path) -> None:
    _, rows = table_rows(board_xlsx)
    denominator, rate, *_, indicative = published(warehouse, "sat_overall", "2024-06", "BURGLARY_RESIDENTIAL")
    assert indicative and denominator == 15
    assert rows["Residential burglary"][0] == f"{round_half_away(100 * rate):.1f} [u]"
    assert rows["Residential burglary"][3] == 15
    assert rows["Residential burglary"][4:] == ("[x]",) * 4  # no one in that group was asked sat_informed


def test_the_csv_is_the_same_table_with_a_byte_order_mark(warehouse: Path, board_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "Q1.csv"
    options = ["--metrics", "sat_overall,sat_informed", "--by", "crime_group", "--period", "2024-06"]
    assert run_table(warehouse, out, *options) == 0
    data = out.read_bytes()
    assert data.startswith(BOM) and data.count(BOM) == 1
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    headings, rows = table_rows(board_xlsx)
    assert list(frame.columns) == [h.replace(" rate (%)", ": rate (%)").replace(" lower limit", ": lower limit")
                                   .replace(" upper limit", ": upper limit").replace(" answers", ": answers")
                                   for h in headings]  # fmt: skip
    assert frame.iloc[4, 0] == ACCENTED
    assert list(frame.iloc[4, 1:5]) == ["71.4", "56.4", "82.8", "42"]
    assert list(frame.iloc[1, 1:5]) == ["[c]"] * 4  # rape
    assert len(frame) == len(rows)


def test_the_latest_period_is_the_default(warehouse: Path, tmp_path: Path, capsys) -> None:
    assert run_table(warehouse, tmp_path / "t.csv", "--metrics", "sat_overall") == 0
    assert "Q1 2024-25 (Apr–Jun 2024)" in capsys.readouterr().out
    assert run_table(warehouse, tmp_path / "t.csv", "--metrics", "sat_overall", "--period", "2024-03") == 0
    assert "Q4 2023-24 (Jan–Mar 2024)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--metrics", "sat_overall,sat_nope"], "unknown measure sat_nope: the measures are sat_contact,"),
        (["--metrics", "sat_overall", "--by", "colour"], "unknown breakdown colour: the breakdowns are age_band,"),
        (
            ["--metrics", "sat_overall", "--period", "2024-05"],
            "no quarter figures for the period 2024-05: the periods published are 2024-03 (Q4 2023-24 (Jan–Mar 2024));"
            " 2024-06 (Q1 2024-25 (Apr–Jun 2024))",
        ),
        (["--metrics", "sat_overall", "--period-type", "financial_year"], "no financial year figures"),
    ],
)
def test_a_bad_request_is_a_clear_error(warehouse: Path, tmp_path: Path, capsys, options, message) -> None:
    assert run_table(warehouse, tmp_path / "t.xlsx", *options) == 2
    err = capsys.readouterr().err
    assert err.startswith("victim-voice: error: ") and message in err, err
    assert not (tmp_path / "t.xlsx").exists()


def test_an_unknown_file_type_is_refused_without_a_traceback(warehouse: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "victim_voice.cli", "table", "--metrics", "sat_overall", "--warehouse", str(warehouse),
         "--out", str(tmp_path / "t.txt")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == "victim-voice: error: t.txt: --out must end in .xlsx or .csv\n"


def test_query_out_writes_csv_with_a_byte_order_mark_and_stdout_stays_plain(
    warehouse: Path, tmp_path: Path, capsys
) -> None:
    sql = "select crime_group_name from reference.crime_groups where crime_group = 'THEFT'"
    assert cli.main(["query", sql, "--warehouse", str(warehouse), "--csv"]) == 0
    assert capsys.readouterr().out == f"crime_group_name\n{ACCENTED}\n"  # a pipe gets no BOM
    out = tmp_path / "q.csv"
    assert cli.main(["query", sql, "--warehouse", str(warehouse), "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"Wrote {out} (1 row, CSV)\n"
    assert out.read_bytes() == BOM + f"crime_group_name\r\n{ACCENTED}\r\n".encode()
    assert pd.read_csv(out, encoding="utf-8-sig")["crime_group_name"].tolist() == [ACCENTED]
    assert cli.main(["query", sql, "--warehouse", str(warehouse), "--json", "--out", str(tmp_path / "q.json")]) == 0
    assert not (tmp_path / "q.json").read_bytes().startswith(BOM)


def test_query_out_into_a_missing_folder_is_a_clear_error(warehouse: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "no-such-folder" / "q.csv"
    assert cli.main(["query", "select 1", "--warehouse", str(warehouse), "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"victim-voice: error: {out.parent}: no such folder for --out\n"


def test_a_family_name_stands_for_its_measures(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "satisfaction.csv"
    assert run_table(warehouse, out, "--metrics", "police_satisfaction,sat_overall", "--period", "2024-06") == 0
    headings = pd.read_csv(out, encoding="utf-8-sig").columns
    rates = [h for h in headings if h.endswith(": rate (%)")]
    [(expected,)] = cells(
        warehouse, "select count(*) from reference.metrics where public and family = 'police_satisfaction'"
    )
    assert len(rates) == expected == 6  # each satisfaction measure once, sat_overall not repeated


def test_comment_themes_by_the_service_they_are_about(tmp_path: Path, capsys) -> None:
    """The themes family by service: 28 measures, a row per service commented on, the published
    figures, and the note that says what the rate is of."""
    texts = ["My IDVA was so kind and really listened"] * 20 + ["Nobody from the IDVA ever rang me back"] * 12
    rows = [
        {"interview_date": f"2024-0{4 + i % 3}-10", "comment_services": text, "svc_IDVA_status": "SUPPORTED"}
        for i, text in enumerate(texts)
    ]
    path = build_warehouse(tmp_path / "w.duckdb", [rows])
    out = tmp_path / "themes.csv"
    assert run_table(path, out, "--metrics", "themes", "--by", "service", "--period-type", "rolling_3m") == 0
    assert "Comment themes: 28 measures, by comments about the service" in capsys.readouterr().out  # not 28 names
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert len([h for h in table.columns if h.endswith(": rate (%)")]) == 28
    idva = table.set_index(table.columns[0]).loc["Independent domestic abuse advocacy"]
    assert idva["Comments: Treated with respect and empathy (positive): rate (%)"] == round(100 * 20 / 32, 1)
    assert idva["Comments: Getting through and being contacted (negative): answers"] == 32
    xlsx = tmp_path / "themes.xlsx"
    assert run_table(path, xlsx, "--metrics", "themes", "--by", "service", "--period-type", "rolling_3m") == 0
    notes = [c.value for row in openpyxl.load_workbook(xlsx)["Notes"].iter_rows() for c in row if c.value]
    assert any(str(n).startswith("Comment themes: of the victims who gave a comment") for n in notes)
