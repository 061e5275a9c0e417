"""Contract review packs: right figures, only released comments, nothing a spreadsheet would run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest

from tests.given import build_warehouse, release_every_comment
from victim_voice import cli
from victim_voice.outputs.comment_candidates import pack_comments, pack_window_end
from victim_voice.outputs.comment_review import write_review_workbook
from victim_voice.outputs.contract_packs import write_contract_pack
from victim_voice.settings import Settings
from warehouse.db import open_reader


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


def test_all_packs_are_written(packs, capsys) -> None:
    settings, out = packs
    assert cli.main(["contract-pack", "--all", "--warehouse", str(settings.warehouse), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{code}_contract_pack.xlsx"
        for code in ["HORIZON", "CYP", "ADULT", "DA_SWINDON", "SARC", "ISVA", "IDVA_WILTSHIRE"]
    )
    import openpyxl

    for sheet in openpyxl.load_workbook(out / "DA_SWINDON_contract_pack.xlsx").worksheets:  # printed: A4, one page wide
        setup = (sheet.page_setup.orientation, sheet.page_setup.paperSize, sheet.page_setup.fitToWidth)
        assert setup == ("landscape", int(sheet.PAPERSIZE_A4), 1), sheet.title


def test_an_area_limited_pack_shows_the_published_area_figures(packs) -> None:
    settings, out = packs
    workbook = openpyxl.load_workbook(write_contract_pack(settings, "DA_SWINDON", out))
    assert workbook.sheetnames == ["Summary", "KPIs (12 months)", "Trend (rolling 3 months)", "Breakdowns",
                                   "Comments by service", "Comments (released)"]  # fmt: skip
    kpis = list(workbook["KPIs (12 months)"].iter_rows(min_row=2, values_only=True))
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        expected = con.sql(
            "select metric, numerator, denominator from marts.published_metric_values where period_type = 'rolling_12m'"
            " and breakdown = 'area' and breakdown_value = 'SWINDON' and metric like 'svc_IDVA_%' and metric not like"
            " '%supported' and period = (select max(period) from marts.published_metric_values) order by 1"
        ).fetchall()
    idva = sorted((m, n, d) for s, area, m, _, n, d, *_ in kpis if s == "IDVA")
    assert idva == expected and all(area == "SWINDON" for s, area, *_ in kpis if s == "IDVA")
    assert all(isinstance(row[5], int) for row in kpis if row[5] is not None)  # numbers as numbers


def test_withheld_figures_are_blank_and_no_comment_is_listed_before_review(packs) -> None:
    settings, out = packs
    workbook = openpyxl.load_workbook(write_contract_pack(settings, "CYP", out))
    for row in workbook["KPIs (12 months)"].iter_rows(min_row=2, values_only=True):
        if row[9] and row[9].startswith("[c]"):
            assert row[4] is None and row[6] is None
    assert list(workbook["Comments (released)"].iter_rows(min_row=2, values_only=True)) == []
    with open_reader(settings.warehouse) as con:
        [cyp] = pack_comments(con, "CYP", pack_window_end(con))
    [counts] = workbook["Comments by service"].iter_rows(min_row=2, values_only=True)
    assert counts[:6] == ("CYP", "all", len(cyp.candidates), 0, 0, len(cyp.candidates))
    assert len(cyp.candidates) >= 5  # the demo's comments name the services their writers used


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
        cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert openpyxl.load_workbook(review.path)["Review"]["E2"].value.startswith("'=HYPERLINK")
    comment = workbook["Comments (released)"]["C2"]
    assert comment.value == '\'=HYPERLINK("http://evil.example","click")'
    assert workbook["Summary"].freeze_panes == "A2"


def test_an_unknown_contract_is_a_usage_error(packs, capsys) -> None:
    settings, out = packs
    args = ["contract-pack", "--contract", "NOPE", "--warehouse", str(settings.warehouse), "--out", str(out)]
    assert cli.main(args) == 2
    assert "unknown contract NOPE" in capsys.readouterr().err
