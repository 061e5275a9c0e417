"""Contract review packs: right figures under plain labels, KPIs rated, breakdowns that add up for
an area-limited scope, withheld cells as [c], only released comments, nothing a spreadsheet would run."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tests.given import build_warehouse, cells, decide_in_workbook, release_every_comment
from victim_voice import cli
from victim_voice.outputs.comment_candidates import pack_comments, pack_window_end
from victim_voice.outputs.comment_review import approve_review, write_review_workbook
from victim_voice.outputs.contract_packs import write_contract_pack
from victim_voice.settings import Settings
from victim_voice.themes.codeframe import THEME_LABELS
from warehouse.db import open_reader

ALL_CODES = ["HORIZON", "CYP", "ADULT", "DA_SWINDON", "SARC", "ISVA", "IDVA_WILTSHIRE"]
FIGURE_SHEETS = ["Notes", "Contract", "KPIs", "Trend", "Breakdowns", "Trend chart", "Themes"]
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


def test_an_area_group_is_withheld_where_the_rest_of_the_county_is_small(tmp_path: Path) -> None:
    """Swindon's 12 rape cases beside a county-wide 15 would give away Wiltshire's 3 by
    subtraction: withheld, and so is Swindon's next-smallest crime group (else Swindon's total
    less its other groups would give the 12 back)."""
    swindon = {"RAPE": 12, "VIOLENCE_WITH_INJURY": 15, "STALKING_HARASSMENT": 11}
    wiltshire = {"RAPE": 3, "VIOLENCE_WITH_INJURY": 10, "STALKING_HARASSMENT": 20}
    rows = [{"interview_date": "2024-01-10"}]
    for area, groups in (("SWINDON", swindon), ("WILTSHIRE", wiltshire)):
        for group, n in groups.items():
            rows += [{"interview_date": "2024-12-10", "area": area, "crime_group": group,
                      "svc_IDVA_status": "SUPPORTED"} for _ in range(n)]  # fmt: skip
    warehouse = build_warehouse(tmp_path / "w.duckdb", [rows])
    found = cells(
        warehouse,
        "select breakdown_value, denominator, withheld, withheld_with_county from marts.published_area_metric_values"
        " where area = 'SWINDON' and metric = 'svc_IDVA_contact' and period_type = 'rolling_12m'"
        " and breakdown = 'crime_group' order by 1",
    )
    assert found == [("RAPE", None, True, True), ("STALKING_HARASSMENT", None, True, True),
                     ("VIOLENCE_WITH_INJURY", 15, False, False)]  # fmt: skip
    county = cells(
        warehouse,
        "select breakdown_value, denominator from marts.published_metric_values where metric = 'svc_IDVA_contact'"
        " and period_type = 'rolling_12m' and breakdown = 'crime_group' order by 1",
    )
    assert county == [("RAPE", 15), ("STALKING_HARASSMENT", 31), ("VIOLENCE_WITH_INJURY", 25)]


def test_no_area_group_gives_away_the_rest_of_the_county_on_generated_data(tmp_path: Path) -> None:
    """Every area group shown beside others has its county-wide cell shown too, and the county's
    cell less the area's is 0 or at least 10: no other area's small group is left to subtraction.
    (A group that is the area's whole breakdown equals the area's total, so it is not checked.)"""
    from victim_voice.demo import write_demo_deliveries
    from victim_voice.ingestion.run import ingest_landing

    settings = Settings(landing=tmp_path / "landing", warehouse=tmp_path / "w.duckdb", pseudonym_key="k" * 32)
    settings.landing.mkdir()
    write_demo_deliveries(settings.landing, months=13, seed=4, today=date(2024, 12, 31))
    ingest_landing(settings, date(2024, 12, 31))
    exposed = cells(
        settings.warehouse,
        """
        select a.area, a.metric, a.period_type, a.period, a.breakdown, a.breakdown_value
        from marts.published_area_metric_values as a
        left join marts.published_metric_values as c using (metric, period_type, period, breakdown, breakdown_value)
        where not a.withheld and a.breakdown <> 'all'
            and (a.breakdown = 'service' or (select count(*) from marts.published_area_metric_values as o
                where o.area = a.area and o.metric = a.metric and o.period_type = a.period_type
                and o.period = a.period and o.breakdown = a.breakdown) > 1)
            and (c.withheld is distinct from false or c.denominator - a.denominator between 1 and 9)
        """,
    )
    withheld = cells(
        settings.warehouse, "select count(*) from marts.published_area_metric_values where withheld_with_county"
    )
    assert exposed == [] and withheld[0][0] > 0


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


THEME_HEADERS = ["Service", "Theme", "Praise or complaint", "Comments raising it", "Share of the service's comments",
                 "Comments about the service (base)", "Example comment (released)", "Note"]  # fmt: skip
THEME_OF = {label: theme for theme, label in THEME_LABELS.items()}
POLARITY_OF = {"Complaint": "neg", "Praise": "pos"}


def theme_rows(path: Path) -> list[dict]:
    sheet = openpyxl.load_workbook(path)["Themes"]
    assert [c.value for c in sheet[1]] == THEME_HEADERS
    return [dict(zip(THEME_HEADERS, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]


def published_theme_cells(settings: Settings, service: str, area: str | None = None) -> dict[str, tuple]:
    """{metric: (numerator, rate, denominator, withheld)} of the comments about a service, the pack's 12 months."""
    table = "marts.published_area_metric_values" if area else "marts.published_metric_values"
    found = cells(
        settings.warehouse,
        f"select metric, numerator, rate, denominator, withheld from {table} where starts_with(metric, 'theme_')"
        " and period_type = 'rolling_12m' and breakdown = 'service' and breakdown_value = ?"
        f" and period = (select max(period) from marts.published_metric_values where period_type = 'rolling_12m')"
        + (" and area = ?" if area else ""),
        [service, area] if area else [service],
    )
    return {metric: tuple(rest) for metric, *rest in found}


def shown_as_published(row: dict, cell: tuple) -> bool:
    numerator, rate, denominator, withheld = cell
    shown = (row["Comments raising it"], row["Share of the service's comments"],
             row["Comments about the service (base)"])  # fmt: skip
    return shown == (("[c]",) * 3 if withheld else (numerator, pytest.approx(rate, rel=1e-12), denominator))


def test_the_themes_sheet_shows_each_scope_service_as_published(packs) -> None:
    settings, out = packs
    shown_anywhere = []
    for code, services in (("HORIZON", ["VWCU"]), ("ADULT", ["ADULT"]), ("CYP", ["CYP"]), ("SARC", ["SARC"]),
                           ("ISVA", ["ISVA"])):  # fmt: skip
        rows = theme_rows(write_contract_pack(settings, code, out))
        shown_anywhere += rows
        for service in services:
            published = published_theme_cells(settings, service)
            mine = [r for r in rows if f"({service})" in r["Service"]]
            assert mine, (code, service)
            if all(withheld for *_, withheld in published.values()):  # too few comments: one row of [c]
                assert [(r["Theme"], r["Comments raising it"]) for r in mine] == [("Every theme", "[c]")]
                continue
            shown = {f"theme_{THEME_OF[r['Theme']]}_{POLARITY_OF[r['Praise or complaint']]}": r for r in mine}
            assert set(shown) == {m for m, (n, *_, withheld) in published.items() if n or withheld}, code
            assert all(shown_as_published(row, published[metric]) for metric, row in shown.items()), code
    assert any(r["Comments raising it"] == "[c]" for r in shown_anywhere), "the demo withholds some theme cells"


def test_a_themes_rate_stays_a_number_and_a_withheld_cell_shows_no_count(packs) -> None:
    settings, out = packs
    sheet = openpyxl.load_workbook(write_contract_pack(settings, "HORIZON", out))["Themes"]
    rates = [row[4] for row in sheet.iter_rows(min_row=2) if isinstance(row[4].value, float)]
    assert rates and all(c.number_format.startswith("0.0%") for c in rates)
    for row in sheet.iter_rows(min_row=2, values_only=True):
        assert (row[3] == "[c]") == (row[4] == "[c]") == (row[5] == "[c]")  # withheld: no count, no base


def sarc_comments() -> list[dict]:
    """12 SARC clients who commented (published), in three months: complaints and praise of being kept informed."""
    texts = [("2024-10-10", "Nobody at the SARC kept me updated, I never heard back about my case."),
             ("2024-11-10", "The SARC never kept me informed about the case."),
             ("2024-11-12", "The SARC kept me updated every week and I always knew what was happening."),
             *[("2024-12-10", "The SARC staff were kind and made me feel safe.")] * 9]  # fmt: skip
    rows = [{"interview_date": "2024-01-10"}]
    return rows + [{"interview_date": day, "svc_SARC_status": "SUPPORTED", "comment_services": text}
                   for day, text in texts]  # fmt: skip


def test_an_example_is_a_released_comment_that_raises_the_theme_that_way(tmp_path: Path) -> None:
    settings = Settings(warehouse=build_warehouse(tmp_path / "w.duckdb", [sarc_comments()]))
    review = write_review_workbook(settings, "SARC", tmp_path / "review")
    sheet = openpyxl.load_workbook(review.path)["Review"]
    first = next(c.row for c in sheet["E"] if str(c.value).startswith("Nobody at the SARC"))
    decide_in_workbook(review.path, {row: ("withhold" if row == first else "release", None)
                                     for row in range(2, review.to_review + 2)})  # fmt: skip
    approve_review(settings, review.path, "A. Reviewer")
    path = write_contract_pack(settings, "SARC", tmp_path / "out")
    rows = {(r["Theme"], r["Praise or complaint"]): r for r in theme_rows(path)}
    informed = [rows["Kept informed and updated", p] for p in ("Complaint", "Praise")]
    assert [(r["Comments raising it"], r["Comments about the service (base)"]) for r in informed] == [(2, 12), (1, 12)]
    assert informed[0]["Example comment (released)"] == "The SARC never kept me informed about the case."
    assert informed[1]["Example comment (released)"].startswith("The SARC kept me updated every week")
    assert rows["Safety and protection", "Praise"]["Example comment (released)"].startswith("The SARC staff")
    text = [str(v) for row in openpyxl.load_workbook(path).worksheets for r in row.iter_rows(values_only=True)
            for v in r]  # fmt: skip
    assert not [t for t in text if "Nobody at the SARC" in t]  # withheld by the reviewer: nowhere in the pack
    released = sheet_rows(path, "Comments (released)")
    assert ("The SARC kept me updated every week and I always knew what was happening.",
            "Kept informed and updated (praise)") in {r[2:] for r in released}  # fmt: skip
    assert ("Treated with respect and empathy (praise); Safety and protection (praise)") in {r[3] for r in released}


def test_a_service_with_too_few_comments_shows_counts_and_no_example(tmp_path: Path) -> None:
    rows = sarc_comments()
    rows = rows[:1] + [{**r, "consent_share_comments": "N" if n > 3 else "Y"} for n, r in enumerate(rows[1:])]
    settings = Settings(warehouse=build_warehouse(tmp_path / "w.duckdb", [rows]))  # 12 comments, 4 may be shown
    assert release_every_comment(settings, "SARC", tmp_path / "review") == 0  # too few to review
    themes = theme_rows(write_contract_pack(settings, "SARC", tmp_path / "out"))
    assert themes and all(r["Example comment (released)"] is None for r in themes)
    assert all("fewer than 5 comments to show" in r["Note"] for r in themes)
    assert sum(r["Comments raising it"] for r in themes if r["Theme"] == "Kept informed and updated") == 3


def test_a_withheld_theme_cell_shows_c_and_never_its_count(tmp_path: Path) -> None:
    rows = sarc_comments()[:1] + sarc_comments()[4:]  # 9 comments about the SARC: too few to publish
    settings = Settings(warehouse=build_warehouse(tmp_path / "w.duckdb", [rows]))
    assert release_every_comment(settings, "SARC", tmp_path / "review") == 9
    path = write_contract_pack(settings, "SARC", tmp_path / "out")
    assert [(r["Theme"], r["Comments raising it"], r["Share of the service's comments"],
             r["Comments about the service (base)"]) for r in theme_rows(path)] == [
        ("Every theme", "[c]", "[c]", "[c]")]  # fmt: skip
    assert all(w for *_, w in published_theme_cells(settings, "SARC").values())


def idva_comments() -> list[dict]:
    """IDVA clients who commented in both areas: 14 in Swindon (5 of them not kept informed), 11 in Wiltshire."""
    swindon = ["The IDVA never kept me informed about the case."] * 5 + ["My IDVA kept me updated throughout."] * 9
    wiltshire = ["The IDVA never kept me informed about the case."] * 11
    rows = [{"interview_date": "2024-01-10"}]
    for area, texts in (("SWINDON", swindon), ("WILTSHIRE", wiltshire)):
        rows += [{"interview_date": "2024-12-10", "area": area, "svc_IDVA_status": "SUPPORTED",
                  "comment_services": text} for text in texts]  # fmt: skip
    return rows


def test_an_area_limited_scope_shows_its_own_areas_theme_cells(tmp_path: Path) -> None:
    settings = Settings(warehouse=build_warehouse(tmp_path / "w.duckdb", [idva_comments()]))
    assert release_every_comment(settings, "DA_SWINDON", tmp_path / "review") == 14
    rows = theme_rows(write_contract_pack(settings, "DA_SWINDON", tmp_path / "out"))
    [complaint] = [r for r in rows if r["Service"].endswith("Swindon only") and r["Theme"] == "Kept informed and"
                   " updated" and r["Praise or complaint"] == "Complaint"]  # fmt: skip
    area = published_theme_cells(settings, "IDVA", "SWINDON")["theme_kept_informed_neg"]
    assert area == (5, 5 / 14, 14, False) and shown_as_published(complaint, area)
    assert published_theme_cells(settings, "IDVA")["theme_kept_informed_neg"][:3] == (16, 16 / 25, 25)  # county
    assert complaint["Example comment (released)"] == "The IDVA never kept me informed about the case."


def test_an_area_theme_cell_is_withheld_when_the_rest_of_the_county_is_small(tmp_path: Path) -> None:
    """Swindon's 14 beside a county-wide 18 would give away Wiltshire's 4 by subtraction."""
    others = [{"interview_date": "2024-12-10", "comment_services": "They were kind."}] * 10  # Wiltshire's total: 14
    rows = idva_comments()[:15] + idva_comments()[15:19] + others
    settings = Settings(warehouse=build_warehouse(tmp_path / "w.duckdb", [rows]))
    county = published_theme_cells(settings, "IDVA")["theme_kept_informed_neg"]
    assert county[2:] == (18, False)
    found = cells(
        settings.warehouse,
        "select denominator, withheld, withheld_with_total, withheld_with_county"
        " from marts.published_area_metric_values where area = 'SWINDON' and metric = 'theme_kept_informed_neg'"
        " and breakdown = 'service' and period_type = 'rolling_12m'",
    )
    assert found and all(row == (None, True, False, True) for row in found)
    themes = theme_rows(write_contract_pack(settings, "DA_SWINDON", tmp_path / "out"))
    assert [r["Theme"] for r in themes if r["Service"].endswith("Swindon only")] == ["Every theme"]
