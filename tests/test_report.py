"""The monthly report: self-contained, accessible, disclosure-controlled, no comments."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from tests.given import build_warehouse
from victim_voice import cli
from victim_voice.settings import Settings


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> str:
    from victim_voice.demo import write_demo_deliveries
    from victim_voice.ingestion.run import ingest_landing

    root = tmp_path_factory.mktemp("report")
    settings = Settings(landing=root / "landing", warehouse=root / "w.duckdb", pseudonym_key="k" * 32)
    settings.landing.mkdir()
    write_demo_deliveries(settings.landing, months=15, seed=3, today=date(2024, 12, 31))
    ingest_landing(settings, date(2024, 12, 31))
    args = ["report", "--period", "2024-11", "--warehouse", str(settings.warehouse), "--out", str(root / "out")]
    assert cli.main(args) == 0
    return (root / "out" / "VictimVoice_report_2024-11.html").read_text(encoding="utf-8")


def test_the_report_is_self_contained(report: str) -> None:
    assert report.startswith("<!DOCTYPE html>")
    assert not re.search(r"<(script|link|img|iframe)\b", report)
    assert not re.search(r"(src|href)=", report)
    assert "@import" not in report and "url(" not in report


def test_the_report_is_accessible(report: str) -> None:
    assert '<html lang="en-GB">' in report
    assert report.count("<h1>") == 1 and report.count("<h2>") >= 6
    assert report.count("<table>") == report.count("<caption>")
    for svg in re.findall(r"<svg[^>]*>", report):
        assert 'role="img"' in svg and "aria-label=" in svg


def test_the_report_has_every_section(report: str) -> None:
    for heading in ["Headline", "Trend", "Crime types", "Victims' Code compliance", "The service journey",
                    "Supplier delivery against quotas"]:  # fmt: skip
        assert f"<h2>{heading.replace(chr(39), '&#x27;')}</h2>" in report or f"<h2>{heading}</h2>" in report
    assert "DOMESTIC_ABUSE" in report and "RAPE" in report and "OTHER_SEXUAL_OFFENCE" in report
    for measure in ["whole experience", "kept informed", "fair and respectful", "rights met (all rights)"]:
        assert measure in report  # the headline
    assert "Significant changes:" in report or "was statistically significant" in report


def test_suppressed_cells_show_as_c_and_no_comment_is_quoted(tmp_path: Path) -> None:
    rows = [{"interview_date": f"2024-0{m}-10", "sat_overall": 6, "comment_police": "Lovely officer, thanks"}
            for m in (1, 2, 3) for _ in range(3)]  # fmt: skip
    settings = Settings(warehouse=build_warehouse(tmp_path / "w.duckdb", [rows]))
    args = ["report", "--period", "2024-03", "--warehouse", str(settings.warehouse), "--out", str(tmp_path)]
    assert cli.main(args) == 0
    text = (tmp_path / "VictimVoice_report_2024-03.html").read_text(encoding="utf-8")
    assert "[c]" in text and "Lovely officer" not in text
    assert "Responses in these 3 months: [c]" in text


def test_a_period_without_figures_is_a_usage_error(tmp_path: Path, capsys) -> None:
    settings = Settings(warehouse=build_warehouse(tmp_path / "w.duckdb", [[{}]]))
    assert (
        cli.main(["report", "--period", "2030-01", "--warehouse", str(settings.warehouse), "--out", str(tmp_path)]) == 2
    )
    assert "no published rolling 3-month figures end in 2030-01" in capsys.readouterr().err
