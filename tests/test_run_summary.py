"""The run summary artifact: aggregates only, suppressed cells as [c], misnamed files as labels."""

from __future__ import annotations

from pathlib import Path

from tests.given import build_warehouse
from victim_voice.delivery.outcome import DeliveryOutcome, Status
from victim_voice.outputs.run_summary import run_summary_markdown

MISNAMED = DeliveryOutcome("Sarah Jones 07700900123.csv", Status.REJECTED, None, reason="the file is misnamed: …")


def test_the_summary_shows_files_figures_and_shortfalls(tmp_path: Path) -> None:
    rows = [
        {"interview_date": f"2024-0{m}-10", "sat_overall": 6, "sat_informed": 2} for m in (1, 2, 3) for _ in range(5)
    ]
    warehouse = build_warehouse(tmp_path / "w.duckdb", [rows])
    text = run_summary_markdown([MISNAMED], warehouse)
    assert "Sarah" not in text and "07700" not in text
    assert "| (a misnamed file, name hash " in text
    assert "| sat_overall | 2024-03 | 15 | 100.0% |" in text
    assert "| 2024-03 | total | 170 | 5 |" in text


def test_suppressed_figures_show_as_c(tmp_path: Path) -> None:
    rows = [{"interview_date": f"2024-0{m}-10", "sat_overall": 6} for m in (1, 2, 3)]
    text = run_summary_markdown([], build_warehouse(tmp_path / "w.duckdb", [rows]))
    assert "| sat_overall | 2024-03 | [c] | [c] |" in text
    assert "No new delivery files." in text


def test_the_summary_says_which_months_lack_the_forces_counts(tmp_path: Path) -> None:
    from tests.given import build_weighted_warehouse

    rows = [{"interview_date": f"2024-0{m}-10", "sat_overall": 6} for m in (1, 2, 3) for _ in range(5)]
    counts = {month: {("WILTSHIRE", "THEFT"): 100} for month in ("2024-01", "2024-03")}
    text = run_summary_markdown([], build_weighted_warehouse(tmp_path / "w.duckdb", [rows], counts))
    assert "## The force's recorded-crime counts\n\nMonths without counts: 2024-02. Weighted figures" in text
    without = run_summary_markdown([], build_warehouse(tmp_path / "none.duckdb", [rows]))
    assert "No recorded-crime counts are loaded yet: there are no weighted figures." in without
