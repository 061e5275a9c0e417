"""Contract review packs: right figures under plain labels, KPIs rated, breakdowns that add up for
an area-limited scope, withheld cells as [c], only released comments, nothing a spreadsheet would run."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tests.given import build_warehouse, cells, release_every_comment
from victim_voice import cli
from victim_voice.outputs.comment_candidates import pack_comments, pack_window_end
from victim_voice.outputs.comment_review import write_review_workbook
from victim_voice.outputs.contract_packs import write_contract_pack
from victim_voice.settings import Settings
from warehouse.db import open_reader

ALL_CODES = ["HORIZON", "CYP", "ADULT", "DA_SWINDON", "SARC", "ISVA", "IDVA_WILTSHIRE"]
FIGURE_SHEETS = ["Notes", "Contract", "KPIs", "Trend", "Breakdowns", "Trend chart"]
RAW_CODE = re.compile(
    r"\bsvc_\w+|\b[A-Z]+_[A-Z_]+\b|\bSWINDON\b|\bWILTSHIRE\b|\brolling_\w+|\b20\d\d-(0[1-9]|1[0-2])\b"
)  # not 2024-25


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    from victim_voice.demo import write_demo_deliveries
    from victim_voice.ingestion.run import ingest_landing

    root = tmp_path_factory.mktemp("packs")
    settings = Settings(landing=root / "landing", warehouse=root / "w.duckdb", pseudonym_key="k" * 32)
    settings.landing.mkdir()
    write_demo_deliveries(settings.landing, months=14, seed=3, today=date(2024, 12, 31))
    ingest_landing(settings, date(2024, 12, 31))
    return settings, root / "out"


def sheet_rows(path: Path, name: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[name].iter_rows(min_row=2, values_only=True))


def test_all_packs_are_written_and_print_as_tables(packs) -> None:
    settings, out = packs
    assert cli.main(["contract-pack", "--all", "--warehouse", str(settings.warehouse), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{code}_contract_pack.xlsx" for code in ALL_CODES)
    workbook = openpyxl.load_workbook(out / "DA_SWINDON_contract_pack.xlsx")
    assert workbook.sheetnames == [*FIGURE_SHEETS, "Comments by service", "Comments (released)"]
    for sheet in workbook.worksheets:  # printed: A4 landscape, one page wide, numbered; a table to filter
        setup = (sheet.page_setup.orientation, sheet.page_setup.paperSize, sheet.page_setup.fitToWidth)
        assert setup == ("landscape", int(sheet.PAPERSIZE_A4), 1), sheet.title
        assert sheet.oddFooter.center.text == "Page &P of &N" and sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref.startswith("A1:"), sheet.title
        assert sheet.print_title_rows == (None if sheet.title == "Trend chart" else "$1:$1"), sheet.title


def test_figures_are_labelled_in_words_not_codes(packs) -> None:
    settings, out = packs
    workbook = openpyxl.load_workbook(write_contract_pack(settings, "DA_SWINDON", out))
    text = [
        str(value)
        for name in FIGURE_SHEETS
        if name not in ("Notes", "Contract")  # the contract's own code is named there, on purpose
        for row in workbook[name].iter_rows(values_only=True)
        for value in row
        if isinstance(value, str)
    ]
    assert [t for t in text if RAW_CODE.search(t)] == []
    assert "Independent domestic abuse advocacy (IDVA), Swindon only" in text
    assert "Referred and then contacted by the service" in text and "Crime group" in text


def test_each_kpi_has_its_target_rating_and_interval_as_rated(packs) -> None:
    settings, out = packs
    path = write_contract_pack(settings, "DA_SWINDON", out)
    rows = sheet_rows(path, "KPIs")
    expected = cells(
        settings.warehouse,
        "select target, rate, ci_low, ci_high, denominator, rating from marts.kpi_ratings where contract ="
        " 'DA_SWINDON' and service = 'IDVA' and area = 'SWINDON' and period_type = 'rolling_12m' and period ="
        " (select max(period) from marts.kpi_ratings where period_type = 'rolling_12m') order by metric",
    )
    idva = sorted(
        (r for r in rows if r[0].startswith("Independent domestic abuse") and r[2].startswith("12 months: ")),
        key=lambda r: ["Referred", "Better", "Feels", "Satisfied", "Contacted"].index(r[1].split()[0]),
    )  # in the metrics' code order: cope, safer, contact, satisfied, timely
    shown = [
        (None if t == "[z]" else t, *(None if v == "[c]" else v for v in r[:-1]), r[-1].replace(" ", "_"))
        for t, *r in (x[3:9] for x in idva)
    ]
    assert shown == expected and len(expected) == 5
    assert {r[8] for r in rows} <= {"GREEN", "AMBER", "RED", "NOT RATED"} and any(
        r[2].startswith("Quarter: ") for r in rows
    )
    for row in rows:
        if row[7] == "[c]":  # withheld: no figure, not rated
            assert row[4:7] == ("[c]", "[c]", "[c]") and row[8] == "NOT RATED"
            assert "withheld" in row[9] or "no target" in row[9]


def test_the_trend_shows_withheld_cells_as_c_and_keeps_rates_as_numbers(packs) -> None:
    settings, out = packs
    path = write_contract_pack(settings, "CYP", out)
    sheet = openpyxl.load_workbook(path)["Trend"]
    headers = [c.value for c in sheet[1]]
    published = dict(
        cells(
            settings.warehouse,
            "select period_label, withheld from marts.published_metric_values where metric = 'svc_CYP_satisfied'"
            " and period_type = 'rolling_3m' and breakdown = 'all'",
        )
    )
    [rate_row] = [
        row
        for row in sheet.iter_rows(min_row=2)
        if row[1].value == "Satisfied with the service" and row[2].value == "Rate"
    ]
    shown = {headers[c.column - 1]: c for c in rate_row[3:]}
    assert set(shown) <= set(published) and len(shown) >= 10
    for label, cell in shown.items():
        if published[label]:
            assert cell.value == "[c]"
        else:
            assert isinstance(cell.value, float) and cell.number_format.startswith("0.0%")
    assert any(published[label] for label in shown), "the demo has withheld windows for CYP"
    values = [c.value for row in sheet.iter_rows(min_row=2, min_col=4) for c in row]
    assert None not in values  # never a blank: a number, [c] or [x]
    indicative = [c for row in sheet.iter_rows(min_row=2, min_col=4) for c in row if "[u]" in c.number_format]
    assert indicative and all(isinstance(c.value, float | int) for c in indicative)


def test_the_trend_has_a_native_line_chart_per_service(packs) -> None:
    settings, out = packs
    path = write_contract_pack(settings, "DA_SWINDON", out)
    with zipfile.ZipFile(path) as package:
        charts = [package.read(n).decode() for n in package.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2 and all("<lineChart>" in c for c in charts)
    assert "Swindon only" in charts[0] and "Refuge" in charts[1]
    data = sheet_rows(path, "Trend chart")
    assert all(v is None or isinstance(v, float | int) for row in data if row[1] for v in row[2:])  # gaps, not zeros


def test_the_contract_facts_stand_apart_from_the_figures_period(packs) -> None:
    settings, out = packs
    path = write_contract_pack(settings, "DA_SWINDON", out)
    facts = dict(sheet_rows(path, "Contract"))
    assert facts["Specification review window"] == "Apr 2023 to Dec 2023 (as set in the contract)"
    assert facts["Co-commissioner"] == "Swindon Borough Council" and facts["Contract start"] == "Apr 2024"
    value = openpyxl.load_workbook(path)["Contract"]["B5"]
    assert (value.value, value.number_format) == (0.09, '"£"0.000"m"')  # prints as £0.090m, not 0
    with open_reader(settings.warehouse) as con:
        [(label,)] = con.execute(
            "select period_label from marts.published_metric_values where period_type = 'rolling_12m'"
            " and period = ? limit 1",
            [pack_window_end(con)],
        ).fetchall()
    notes = dict(sheet_rows(path, "Notes"))
    assert notes["Figures"].startswith(f"12 months to {label}") and "Apr 2023 to Dec 2023" not in notes["Figures"]
    assert notes["Weighting"].startswith("not weighted")  # a reader is told the service figures are unweighted


def test_withheld_figures_show_c_and_no_comment_is_listed_before_review(packs) -> None:
    settings, out = packs
    workbook = openpyxl.load_workbook(write_contract_pack(settings, "CYP", out))
    breakdowns = list(workbook["Breakdowns"].iter_rows(min_row=2, values_only=True))
    assert any(row[4] == "[c]" for row in breakdowns)  # withheld cells are shown as withheld, not dropped
    for row in breakdowns:
        for rate, answers in zip(row[4::2], row[5::2], strict=True):
            assert (rate == "[c]") == (answers == "[c]")
    assert list(workbook["Comments (released)"].iter_rows(min_row=2, values_only=True)) == []
    with open_reader(settings.warehouse) as con:
        [cyp] = pack_comments(con, "CYP", pack_window_end(con))
    [counts] = workbook["Comments by service"].iter_rows(min_row=2, values_only=True)
    assert counts[:6] == ("Children and young people's victim service", "All areas", len(cyp.candidates), 0, 0,
                          len(cyp.candidates))  # fmt: skip
    assert len(cyp.candidates) >= 5  # the demo's comments name the services their writers used


def swindon_and_wiltshire() -> list[dict]:
    """IDVA clients in both areas, every crime group with at least 10 in Swindon (nothing withheld)."""
    swindon = {"RAPE": 12, "VIOLENCE_WITH_INJURY": 15, "STALKING_HARASSMENT": 11}
    wiltshire = {"RAPE": 14, "VIOLENCE_WITH_INJURY": 10, "THEFT": 13}
    rows = [{"interview_date": "2024-01-10"}]
    for area, groups in (("SWINDON", swindon), ("WILTSHIRE", wiltshire)):
        for group, n in groups.items():
            rows += [{"interview_date": "2024-12-10", "area": area, "crime_group": group, "domestic_abuse": "Y",
                      "svc_IDVA_status": "SUPPORTED" if i % 3 else "REFERRED"} for i in range(n)]  # fmt: skip
    return rows


def test_an_area_limited_scope_breaks_down_its_own_area_so_groups_add_up(tmp_path: Path) -> None:
    settings = Settings(warehouse=build_warehouse(tmp_path / "w.duckdb", [swindon_and_wiltshire()]))
    area = cells(
        settings.warehouse,
        "select breakdown, breakdown_value, denominator, withheld from marts.published_area_metric_values where"
        " area = 'SWINDON' and metric = 'svc_IDVA_contact' and period_type = 'rolling_12m'"
        " and breakdown in ('all', 'crime_group') order by 1, 2",
    )
    assert area == [("all", "all", 38, False), ("crime_group", "RAPE", 12, False),
                    ("crime_group", "STALKING_HARASSMENT", 11, False),
                    ("crime_group", "VIOLENCE_WITH_INJURY", 15, False)]  # fmt: skip
    rows = sheet_rows(write_contract_pack(settings, "DA_SWINDON", tmp_path / "out"), "Breakdowns")
    idva = [r for r in rows if r[0].startswith("Independent domestic abuse")]
    [headline] = [r for r in idva if r[3] == "All victims in Swindon"]
    groups = [r for r in idva if r[2] == "Crime group"]
    assert headline[5] == 38 and sum(r[5] for r in groups) == 38  # contact's answers: Swindon's only
    assert {r[3] for r in groups} == {"Rape", "Violence with injury", "Stalking and harassment"}
    county = cells(
        settings.warehouse,
        "select sum(denominator) from marts.published_metric_values where metric = 'svc_IDVA_contact'"
        " and period_type = 'rolling_12m' and breakdown = 'crime_group'",
    )
    assert county == [(75,)]  # what the pack used to show: both areas


def test_an_area_breakdown_is_withheld_with_its_total(tmp_path: Path) -> None:
    """A Swindon total that the county-wide area breakdown withholds (Wiltshire has too few to
    show beside it) is withheld here too, and so is every group that would add up to it."""
    rows = [{"interview_date": "2024-01-10"}] + [
        {"interview_date": "2024-12-10", "area": area, "crime_group": "RAPE", "svc_IDVA_status": "SUPPORTED"}
        for area, n in (("SWINDON", 25), ("WILTSHIRE", 4))
        for _ in range(n)
    ]
    warehouse = build_warehouse(tmp_path / "w.duckdb", [rows])
    found = cells(
        warehouse,
        "select breakdown, denominator, withheld, withheld_with_total from marts.published_area_metric_values"
        " where area = 'SWINDON' and metric = 'svc_IDVA_contact' and period_type = 'rolling_12m' order by 1",
    )
    assert found and all(den is None and withheld and with_total for _, den, withheld, with_total in found)
    assert ("crime_group", None, True, True) in found


def test_no_cell_is_ever_a_formula(tmp_path: Path) -> None:
    rows = [{"interview_date": "2024-01-10"}] + [
        {"interview_date": "2024-12-10", "svc_SARC_status": "SUPPORTED", "consent_share_comments": "Y",
         "comment_services": '=HYPERLINK("http://evil.example","click")'}
    ] * 5  # fmt: skip
    settings = Settings(warehouse=build_warehouse(tmp_path / "w.duckdb", [rows]))
    review = write_review_workbook(settings, "SARC", tmp_path / "review")
    assert release_every_comment(settings, "SARC", tmp_path / "review") == 5
    for path in (review.path, write_contract_pack(settings, "SARC", tmp_path / "out")):
        workbook = openpyxl.load_workbook(path)
        cells_ = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
        assert not [c.coordinate for c in cells_ if c.data_type == "f"]
    assert openpyxl.load_workbook(review.path)["Review"]["E2"].value.startswith("'=HYPERLINK")
    comment = workbook["Comments (released)"]["C2"]
    assert comment.value == '\'=HYPERLINK("http://evil.example","click")'
    assert workbook["Comments (released)"].row_dimensions[2].height is None  # one line: no extra height


def test_an_unknown_contract_is_a_usage_error(packs, capsys) -> None:
    settings, out = packs
    args = ["contract-pack", "--contract", "NOPE", "--warehouse", str(settings.warehouse), "--out", str(out)]
    assert cli.main(args) == 2
    assert "unknown contract NOPE" in capsys.readouterr().err


def test_an_empty_warehouse_still_writes_a_readable_pack(tmp_path: Path) -> None:
    settings = Settings(warehouse=build_warehouse(tmp_path / "w.duckdb", [[{"interview_date": "2024-01-10"}]]))
    workbook = openpyxl.load_workbook(write_contract_pack(settings, "SARC", tmp_path / "out"))
    assert dict(workbook["Notes"].iter_rows(min_row=2, values_only=True))["Figures"] == "12 months to [x]"
    assert [c.value for c in workbook["KPIs"][1]][:3] == ["Service", "Measure", "Period"]
    assert [c.value for c in workbook["Trend"][1]] == ["Service", "Measure", "Figure"]  # no windows yet


def test_no_area_cell_is_recoverable_by_subtraction(packs) -> None:
    """Within an area, as county-wide (tests/test_disclosure.py): no breakdown whose cells add up
    to a published total shows all but one of them."""
    settings, _ = packs
    recoverable = cells(
        settings.warehouse,
        """
        with complete as (
            select v.area, v.metric, v.period_type, v.period, v.breakdown
            from intermediate.int_area_metric_cells as v
            inner join intermediate.int_area_metric_cells as total
                on total.area = v.area and total.metric = v.metric and total.period_type = v.period_type
                and total.period = v.period and total.breakdown = 'all'
            where v.breakdown <> 'all'
            group by all
            having sum(v.denominator) = any_value(total.denominator)
        )
        select p.area, p.metric, p.period_type, p.period, p.breakdown
        from marts.published_area_metric_values as p
        inner join complete using (area, metric, period_type, period, breakdown)
        inner join marts.published_area_metric_values as total
            on total.area = p.area and total.metric = p.metric and total.period_type = p.period_type
            and total.period = p.period and total.breakdown = 'all'
        where not total.withheld
        group by all
        having count(*) filter (where p.withheld) = 1
        """,
    )
    withheld = cells(settings.warehouse, "select count(*) from marts.published_area_metric_values where withheld")
    assert recoverable == [] and withheld[0][0] > 0


def test_a_comment_over_several_lines_gets_a_row_tall_enough(tmp_path: Path) -> None:
    """LibreOffice keeps a row's stored height: one line's height overprinted the rest."""
    rows = [{"interview_date": "2024-01-10"}] + [
        {"interview_date": "2024-12-10", "svc_SARC_status": "SUPPORTED", "consent_share_comments": "Y",
         "comment_services": f"The SARC were kind.\nThey rang back on day {n}.\nThank you."}
        for n in range(5)
    ]  # fmt: skip
    settings = Settings(warehouse=build_warehouse(tmp_path / "w.duckdb", [rows]))
    write_review_workbook(settings, "SARC", tmp_path / "review")
    assert release_every_comment(settings, "SARC", tmp_path / "review") == 5
    sheet = openpyxl.load_workbook(write_contract_pack(settings, "SARC", tmp_path / "out"))["Comments (released)"]
    assert [sheet.row_dimensions[row].height for row in range(2, 7)] == [45.0] * 5
    assert sheet["C2"].alignment.wrap_text
