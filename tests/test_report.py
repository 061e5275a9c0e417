"""The report: self-contained, accessible, disclosure-controlled, no comments; any period of
three kinds; labels, not codes; q-values, not p-values; KPI ratings; charts beside it."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from datetime import date
from pathlib import Path

import pytest

from tests.given import build_warehouse
from victim_voice import cli
from victim_voice.outputs.formatting import SHORTHAND
from victim_voice.outputs.report import write_report
from victim_voice.outputs.report_figures import choose_windows
from victim_voice.settings import ConfigurationError, Settings
from warehouse.db import open_reader

CODES = re.compile(r"\b(BURGLARY_RESIDENTIAL|DOMESTIC_ABUSE|OTHER_SEXUAL_OFFENCE|VIOLENCE_WITH_INJURY|svc_\w+|"
                   r"vcop_\d+|sat_\w+|journey_\w+|GREEN|AMBER|NOT_RATED|rolling_3m|rolling_12m)\b")  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    """Fifteen demo months (Sep 2023 to Nov 2024) ingested as the pipeline does, with the force's
    counts for every month but the first."""
    from victim_voice.demo import write_demo_deliveries
    from victim_voice.demo.recorded_crime import write_recorded_crime
    from victim_voice.ingestion.run import ingest_landing

    root = tmp_path_factory.mktemp("report")
    settings = Settings(landing=root / "landing", warehouse=root / "w.duckdb", pseudonym_key="k" * 32)
    settings.landing.mkdir()
    manifests = write_demo_deliveries(settings.landing, months=15, seed=3, today=date(2024, 12, 31))
    write_recorded_crime(settings.landing, sorted({m.period for m in manifests})[1:], seed=3)
    ingest_landing(settings, date(2024, 12, 31))
    return settings, root / "out"


def run_report(demo: tuple[Settings, Path], *options: str) -> int:
    settings, out = demo
    return cli.main(["report", *options, "--no-pdf", "--warehouse", str(settings.warehouse), "--out", str(out)])


@pytest.fixture(scope="module")
def report(demo: tuple[Settings, Path]) -> str:
    assert run_report(demo, "--period", "2024-11") == 0
    return (demo[1] / "VictimVoice_report_2024-11.html").read_text(encoding="utf-8")


def test_the_report_is_self_contained(report: str) -> None:
    assert report.startswith("<!DOCTYPE html>")
    assert not re.search(r"<(script|link|img|iframe)\b", report)
    assert not re.search(r"(src|href)=\"(?!#)", report)  # only references inside the page (the charts' own)
    assert "@import" not in report and not re.search(r"url\((?!#)", report)


def test_the_report_is_accessible(report: str) -> None:
    assert '<html lang="en-GB">' in report
    assert report.count("<h1>") == 1 and report.count("<h2>") >= 9
    assert len(re.findall(r"<table\b", report)) == report.count("<caption>")
    svgs = re.findall(r"<svg[^>]*>", report)
    assert len(svgs) == 2 and report.count("<figcaption>") == 2
    for svg in svgs:
        assert 'role="img"' in svg and re.search(r'aria-label="[^"]{40,}"', svg)  # described, not just named
    ids = re.findall(r'\bid="([^"]+)"', report)
    assert len(ids) == len(set(ids))  # the two inline charts do not share ids


def test_the_report_has_every_section_in_labels_not_codes(report: str) -> None:
    for heading in ["Headline", "What changed", "Trend", "Crime types", "Groups that differ",
                    "What victims say", "Victims' Code compliance", "The service journey", "Contract KPI ratings",
                    "Supplier delivery against quotas", "Notes"]:  # fmt: skip
        assert f"<h2>{heading}</h2>" in report
    assert "Residential burglary" in report and "Rape" in report and "Other sexual offences" in report
    assert "Independent domestic abuse advocacy" in report and "To make a Victim Personal Statement" in report
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", report, flags=re.S))  # what a reader sees
    assert not CODES.search(visible), CODES.search(visible)
    assert "No figures for this period." not in report


def test_the_notes_explain_the_shorthand_and_there_is_no_dagger(report: str) -> None:
    for shorthand, meaning in SHORTHAND.items():
        assert f"<dt>{shorthand}</dt><dd>{meaning}</dd>" in report
    assert "†" not in report


def test_the_kpi_ratings_are_words_with_targets_and_intervals(report: str) -> None:
    section = report.split("<h2>Contract KPI ratings</h2>")[1].split("<h2>")[0]
    assert "Sexual Assault Referral Centre, the 12 months Dec 2023–Nov 2024" in section
    rows = re.findall(r"<tr>.*?</tr>", section)
    rated = [r for r in rows if re.search(r"Green: meets the target|Amber: cannot tell|Red: below the target", r)]
    assert len(rated) >= 20
    for row in rated:  # target, then the rate with its interval
        assert re.search(r"\d+\.0%</td><td class=\"n\">\d+\.\d% (\[u\] )?\(\d+\.\d% to \d+\.\d%\)", row), row


def test_twelve_month_tables_where_the_data_cover_them_otherwise_three(demo: tuple[Settings, Path]) -> None:
    with open_reader(demo[0].warehouse) as con:
        year = choose_windows(con, "rolling", "2024-11")
        early = choose_windows(con, "rolling", "2024-02")
        quarter = choose_windows(con, "quarter", "2024-09")
        first_quarter = choose_windows(con, "quarter", "2023-12")
    assert (year.detail.period_type, year.detail.label) == ("rolling_12m", "Dec 2023–Nov 2024")
    assert (early.detail.period_type, early.detail.label) == ("rolling_3m", "Dec 2023–Feb 2024")
    assert (quarter.main.label, quarter.detail.period_type) == ("Q2 2024-25 (Jul–Sep 2024)", "rolling_12m")
    assert (first_quarter.main.label, first_quarter.detail) == ("Q3 2023-24 (Oct–Dec 2023)", first_quarter.main)


def test_an_early_month_has_three_month_tables_and_says_so(demo: tuple[Settings, Path]) -> None:
    assert run_report(demo, "--period", "2024-02") == 0
    page = (demo[1] / "VictimVoice_report_2024-02.html").read_text(encoding="utf-8")
    assert "the survey&#x27;s data do not yet cover the 12 months ending Feb 2024" in page
    assert "Crime-type scorecard, the 3 months Dec 2023–Feb 2024" in page
    scorecard = page.split("Crime-type scorecard")[1].split("</table>")[0]
    assert len(re.findall(r"\d+\.\d%", scorecard)) >= 30  # filled in, not headers alone (issue 15)
    assert "No figures for this period." not in page


def test_the_headline_shows_all_victims_weighted_beside_unweighted(report: str, demo) -> None:
    table = report.split("All victims, the 12 months Dec 2023–Nov 2024: unweighted and weighted")[1].split("</table>")[
        0
    ]
    row = table.split("Satisfied with the whole experience")[1].split("</tr>")[0]
    unweighted, base, weighted, effective = _figures(row)
    with open_reader(demo[0].warehouse) as con:
        [(rate, effective_n)] = con.sql(
            "select weighted_rate, effective_n from marts.weighted_metric_values where metric = 'sat_overall'"
            " and period_type = 'rolling_12m' and period = '2024-11' and breakdown = 'all'"
        ).fetchall()
    assert (weighted, effective) == (f"{100 * rate:.1f}%", round(effective_n))
    assert unweighted.endswith("%")
    assert 0.5 * base < effective < base  # weighting costs answers, as a design effect above 1 says
    assert "Weighting corrects the mix of areas and crime groups, not who chooses to answer" in report


def _figures(row: str) -> tuple[str, int, str, int]:
    """(unweighted rate, base, weighted rate, effective base) of a weighted headline row."""
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    return (
        cells[0].split(" ")[0],
        int(cells[1].replace(",", "")),
        cells[2].split(" ")[0],
        int(cells[3].replace(",", "")),
    )


def test_a_window_missing_a_month_of_counts_has_no_weighted_figures_and_says_so(demo) -> None:
    assert run_report(demo, "--period", "2023-11") == 0
    page = (demo[1] / "VictimVoice_report_2023-11.html").read_text(encoding="utf-8")
    table = page.split("unweighted and weighted to the force")[1].split("</table>")[0]
    assert table.count("[x]") == 6  # weighted rate and effective base of each headline measure
    assert "the force&#x27;s recorded-crime counts are missing for a month of this window" in page


def test_a_quarter_report(demo: tuple[Settings, Path], capsys) -> None:
    assert run_report(demo, "--period-type", "quarter", "--period", "2024-09") == 0
    written = capsys.readouterr().out
    for suffix in (".html", "_trend.png", "_trend.svg", "_scorecard.png", "_scorecard.svg"):
        assert f"VictimVoice_report_quarter_2024-09{suffix}" in written
    page = (demo[1] / "VictimVoice_report_quarter_2024-09.html").read_text(encoding="utf-8")
    assert "<h1>Victim Voice: the victims&#x27; survey, Q2 2024-25 (Jul–Sep 2024)</h1>" in page
    assert "Satisfied with the whole experience, financial quarters" in page  # the trend, quarter by quarter


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--period-type", "financial_year", "--period", "2024-03"], "no published financial-year figures end in "
         "2024-03; available: none yet"),
        (["--period-type", "quarter", "--period", "2024-10"], "no published financial-quarter figures end in "
         "2024-10; available: 2023-12, 2024-03, 2024-06, 2024-09"),
        (["--period", "2030-01"], "no published rolling 3-month figures end in 2030-01; available: 2023-11"),
    ],
)  # fmt: skip
def test_a_period_without_such_a_window_is_a_usage_error(demo, options: list[str], message: str, capsys) -> None:
    assert run_report(demo, *options) == 2
    assert message in capsys.readouterr().err


def test_a_financial_year_report(tmp_path: Path) -> None:
    months = [f"2023-{m:02d}" for m in range(4, 13)] + [f"2024-{m:02d}" for m in range(1, 4)]
    rows = [{"interview_date": f"{month}-10", "sat_overall": 6 if i % 4 else 2} for month in months for i in range(12)]
    settings = Settings(warehouse=build_warehouse(tmp_path / "w.duckdb", [rows]))
    written = write_report(settings, "2024-03", tmp_path, kind="financial_year")
    page = written.page.read_text(encoding="utf-8")
    assert written.page.name == "VictimVoice_report_financial_year_2024-03.html"
    assert "the financial year 2023-24 (Apr 2023–Mar 2024)" in page
    assert "Every table is for the financial year 2023-24" in page
    assert "No change could be tested" in page  # changes are between 3-month windows
    assert "75.0% (" in page  # 108 of 144 satisfied
    with pytest.raises(ConfigurationError, match="available: 2024-03"):
        write_report(settings, "2023-03", tmp_path, kind="financial_year")


def _nine_comment_report(tmp_path: Path, sat_overall: int, comment: str) -> str:
    """The HTML report for March 2024 of a warehouse of nine respondents (three a month, Jan–Mar),
    each with this satisfaction and police comment: every cell too small to show."""
    rows = [{"interview_date": f"2024-0{m}-10", "sat_overall": sat_overall, "comment_police": comment}
            for m in (1, 2, 3) for _ in range(3)]  # fmt: skip
    warehouse = build_warehouse(tmp_path / "w.duckdb", [rows])
    args = ["report", "--period", "2024-03", "--warehouse", str(warehouse), "--out", str(tmp_path), "--no-pdf"]
    assert cli.main(args) == 0
    return (tmp_path / "VictimVoice_report_2024-03.html").read_text(encoding="utf-8")


def test_suppressed_cells_show_as_c_and_no_comment_is_quoted(tmp_path: Path) -> None:
    text = _nine_comment_report(tmp_path, 6, "Lovely officer, thanks")
    assert "[c]" in text and "Lovely officer" not in text
    assert "Responses in the 3 months Jan–Mar 2024: [c]" in text
    assert "No comparison could be tested" in text  # nothing to compare with, said as such


def test_the_charts_are_valid_files_drawn_the_same_every_time(demo: tuple[Settings, Path], tmp_path: Path) -> None:
    first = write_report(demo[0], "2024-11", tmp_path / "one")
    second = write_report(demo[0], "2024-11", tmp_path / "two")
    assert [p.name for p in first.charts] == [
        "VictimVoice_report_2024-11_trend.png", "VictimVoice_report_2024-11_trend.svg",
        "VictimVoice_report_2024-11_scorecard.png", "VictimVoice_report_2024-11_scorecard.svg",
    ]  # fmt: skip
    for one, two in zip(first.charts, second.charts, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name
    for png in first.charts[0::2]:
        assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and png.stat().st_size > 10_000
    for svg in first.charts[1::2]:
        texts = "".join(ElementTree.parse(svg).getroot().itertext())  # well-formed XML, text kept as text
        assert "Satisfied with the whole experience" in texts and "%" in texts
    scorecard = ElementTree.parse(first.charts[3]).getroot()
    assert "Residential burglary" in "".join(scorecard.itertext())
    page = first.page.read_text(encoding="utf-8")
    assert re.search(r"<figcaption>Satisfied with the whole experience, by crime type, the 12 months Dec 2023–Nov "
                     r"2024\. Bars: .* Lowest .*; highest .*</figcaption>", page)  # fmt: skip


@pytest.mark.parametrize("heavy", ["matplotlib", "pandas", "pandera"])
def test_writing_a_report_or_reading_a_file_does_not_slow_every_command(heavy: str) -> None:
    """`query` and `tables` stay quick: the CLI imports these only when a command needs them."""
    code = f"import sys, victim_voice.cli; assert {heavy!r} not in sys.modules, '{heavy} imported'"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-300:]


def test_the_sample_is_set_beside_the_force_s_recorded_victims(report: str, demo) -> None:
    section = report.split("<h2>Is the sample representative?</h2>")[1].split("<h2>")[0]
    with open_reader(demo[0].warehouse) as con:
        [(chi_square, degrees, share)] = con.sql(
            "select any_value(chi_square), any_value(degrees_of_freedom), sum(population_share)"
            " filter (where crime_group = 'RAPE') from marts.sample_profile"
            " where period_type = 'rolling_12m' and period = '2024-11'"
        ).fetchall()
        [(answers, total)] = con.sql(
            "select max(denominator) filter (where breakdown_value = 'RAPE'), max(denominator) filter"
            " (where breakdown = 'all') from marts.published_metric_values where metric = 'journey_INVESTIGATION'"
            " and period_type = 'rolling_12m' and period = '2024-11'"
        ).fetchall()
    row = section.split('<th scope="row">Rape</th>')[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    assert cells == [f"{answers:,}", f"{100 * answers / total:.1f}%", f"{100 * share:.1f}%"]
    assert f"Chi-square {chi_square:,.1f} on {degrees} degrees of freedom" in section
    assert "the sample&#x27;s mix differs from the force&#x27;s" in section  # the quotas over-sample by design


def test_a_window_without_a_profile_says_so(demo) -> None:
    assert run_report(demo, "--period", "2024-02") == 0  # 3-month tables: no profile for rolling 3 months
    page = (demo[1] / "VictimVoice_report_2024-02.html").read_text(encoding="utf-8")
    section = page.split("<h2>Is the sample representative?</h2>")[1].split("<h2>")[0]
    assert section.startswith("<p>[x] No comparison with the force&#x27;s recorded victims")


def _section(report: str, heading: str) -> str:
    return report.split(f"<h2>{heading}</h2>")[1].split("<h2>")[0]


def _rows(table: str) -> list[list[str]]:
    """A table's body rows as the text of their cells."""
    body = table.split("<tbody>")[1].split("</tbody>")[0]
    return [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in re.findall(r"<tr>.*?</tr>", body)]


def test_what_victims_say_ranks_the_published_themes_each_way(report: str, demo) -> None:
    """The complaints and praise raised most, from the published cells, most first, with the
    headline's 3 months and their change."""
    from victim_voice.themes.codeframe import THEME_LABELS

    section = _section(report, "What victims say")
    with open_reader(demo[0].warehouse) as con:
        for way, caption in (("neg", "Complaints raised most in comments"), ("pos", "Praise raised most in comments")):
            raised = con.execute(
                "select metric, numerator, denominator, rate from marts.published_metric_values where metric like ?"
                " and period_type = 'rolling_12m' and period = '2024-11' and breakdown = 'all' and numerator > 0",
                [f"theme_%_{way}"],
            ).fetchall()
            order = [f"theme_{theme}_{way}" for theme in THEME_LABELS]  # equal shares: codeframe order
            expected = [r[:3] for r in sorted(raised, key=lambda r: (-r[3], order.index(r[0])))[:5]]
            rows = _rows(section.split(f"<caption>{caption}</caption>")[1].split("</table>")[0])
            assert len(rows) == len(expected) == 5
            for row, (metric, numerator, denominator) in zip(rows, expected, strict=True):
                theme = metric.removeprefix("theme_").removesuffix(f"_{way}")
                assert row[0] == THEME_LABELS[theme]
                assert (row[2], row[3]) == (f"{numerator:,}", f"{denominator:,}")
                assert re.fullmatch(r"[+-]?\d+\.\d points, (not )?significant|\[x\]|\[c\]", row[5]), row
    assert "No comment is quoted here" in section


def test_complaints_by_satisfaction_say_which_go_with_low_satisfaction_on_q(report: str, demo) -> None:
    from victim_voice.themes.codeframe import THEME_LABELS

    table = _section(report, "What victims say").split("Complaints in the comments of victims dissatisfied")[1]
    rows = {row[0]: row for row in _rows(table.split("</table>")[0])}
    with open_reader(demo[0].warehouse) as con:
        tests = con.execute(
            "select metric, significant, q_value, difference from marts.group_comparisons where period_type ="
            " 'rolling_12m' and period = '2024-11' and breakdown = 'overall_satisfaction'"
            " and breakdown_value = 'DISSATISFIED' and metric like 'theme_%_neg'"
        ).fetchall()
    assert tests
    for metric, significant, q_value, difference in tests:
        verdict = rows[THEME_LABELS[metric.removeprefix("theme_").removesuffix("_neg")]][4]
        assert ("q below 0.001" if q_value < 0.001 else f"q = {q_value:.3f}") in verdict
        if significant:
            assert verdict.startswith("more often" if difference > 0 else "less often"), verdict
        else:
            assert verdict.startswith("no significant difference"), verdict
    assert any(
        row[4].startswith("more often") for row in rows.values()
    )  # the demo's complaints go with dissatisfaction


def test_withheld_theme_cells_show_as_c(tmp_path: Path) -> None:
    """Nine comments in the window: every theme cell is withheld, none is ranked, no comment quoted."""
    section = _section(_nine_comment_report(tmp_path, 2, "Nobody ever rang me back"), "What victims say")
    assert "Nobody ever rang" not in section
    complaints = section.split("<caption>Complaints raised most in comments</caption>")[1].split("</table>")[0]
    assert "No figures for this period." in complaints
    by_satisfaction = _rows(section.split("Complaints in the comments of victims dissatisfied")[1].split("</table>")[0])
    contact = next(row for row in by_satisfaction if row[0] == "Getting through and being contacted")
    assert contact[1] == "[c]" and "(base [c])" in section
