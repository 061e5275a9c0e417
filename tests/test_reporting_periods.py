"""metrics-v2 §1: financial quarters, years and years to date, with their labels, and the
differencing rule (§5) for nested published windows, from given rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.given import build_warehouse, cells


def one_a_month(first: str, last: str) -> list[dict]:
    """One response (satisfied overall) interviewed on the 10th of every month from first to last."""
    year, month = map(int, first.split("-"))
    rows = []
    while f"{year:04d}-{month:02d}" <= last:
        rows.append({"interview_date": f"{year:04d}-{month:02d}-10", "sat_overall": 6})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return rows


@pytest.fixture(scope="module")
def periods_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every month from Apr 2025 to Oct 2026 has data."""
    return build_warehouse(tmp_path_factory.mktemp("periods") / "w.duckdb", [one_a_month("2025-04", "2026-10")])


def windows(warehouse: Path, period_type: str) -> list[tuple]:
    return cells(
        warehouse,
        "select period_start, period, period_label, denominator from marts.metric_values"
        " where metric = 'sat_overall' and breakdown = 'all' and period_type = ? order by period",
        [period_type],
    )


@pytest.mark.parametrize(
    ("period_type", "period", "label", "start", "months"),
    [
        ("month", "2026-07", "Jul 2026", "2026-07", 1),
        ("rolling_3m", "2026-10", "Aug–Oct 2026", "2026-08", 3),
        ("rolling_3m", "2026-01", "Nov 2025–Jan 2026", "2025-11", 3),
        ("rolling_12m", "2026-10", "Nov 2025–Oct 2026", "2025-11", 12),
        ("quarter", "2026-09", "Q2 2026-27 (Jul–Sep 2026)", "2026-07", 3),
        ("quarter", "2026-03", "Q4 2025-26 (Jan–Mar 2026)", "2026-01", 3),
        ("financial_year", "2026-03", "2025-26", "2025-04", 12),
        ("fy_to_date", "2026-09", "2026-27 to date (Apr–Sep 2026)", "2026-04", 6),
        ("fy_to_date", "2025-12", "2025-26 to date (Apr–Dec 2025)", "2025-04", 9),
    ],
)
def test_labels_and_windows_as_the_spec(
    periods_warehouse: Path, period_type: str, period: str, label: str, start: str, months: int
) -> None:
    assert (start, period, label, months) in windows(periods_warehouse, period_type)


@pytest.mark.parametrize(
    ("period_type", "periods"),
    [
        ("quarter", ["2025-06", "2025-09", "2025-12", "2026-03", "2026-06", "2026-09"]),
        ("financial_year", ["2026-03"]),  # 2026-27 is not complete
        ("fy_to_date", ["2025-06", "2025-09", "2025-12", "2026-06", "2026-09"]),  # March is the year itself
    ],
)
def test_financial_periods_end_only_in_their_months(periods_warehouse: Path, period_type: str, periods: list) -> None:
    assert [row[1] for row in windows(periods_warehouse, period_type)] == periods


def test_a_financial_window_starting_before_the_data_is_not_emitted(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb", [one_a_month("2025-05", "2026-04")])
    assert windows(warehouse, "financial_year") == []  # April 2025 has no data: the year is incomplete
    assert [row[1] for row in windows(warehouse, "quarter")] == ["2025-09", "2025-12", "2026-03"]
    assert windows(warehouse, "fy_to_date") == []


def test_the_year_to_date_is_the_pooled_rate_not_an_average_of_months(tmp_path: Path) -> None:
    """Apr: 1 of 10 satisfied; May and Jun: 30 of 30 each → 61/70, not the mean of monthly rates."""
    rows = [{"interview_date": "2025-04-10", "sat_overall": 6 if i < 1 else 2} for i in range(10)]
    rows += [{"interview_date": f"2025-0{m}-10", "sat_overall": 6} for m in (5, 6) for _ in range(30)]
    warehouse = build_warehouse(tmp_path / "w.duckdb", [rows])
    found = cells(
        warehouse,
        "select numerator, denominator, rate from marts.metric_values where metric = 'sat_overall'"
        " and breakdown = 'all' and period_type = 'fy_to_date' and period = '2025-06'",
    )
    assert found == [(61, 70, 61 / 70)]


def test_a_withheld_quarter_is_not_recoverable_from_the_year_to_date(tmp_path: Path) -> None:
    """Q1 has 5 answers (suppressed), Q2 40: the year to date (45) minus Q2 would give Q1, so
    Q2 (and the rolling 3 months covering the same months) is withheld too; Q3 stays."""
    rows = [{"interview_date": "2025-04-10", "sat_overall": 6}] * 5
    rows += [{"interview_date": "2025-08-10", "sat_overall": 6}] * 40
    rows += [{"interview_date": "2025-12-10", "sat_overall": 2}] * 40
    warehouse = build_warehouse(tmp_path / "w.duckdb", [rows])
    found = cells(
        warehouse,
        "select period_type, period, suppressed, differencing_suppressed, withheld, denominator"
        " from marts.published_metric_values where metric = 'sat_overall' and breakdown = 'all'"
        " and period_type in ('quarter', 'fy_to_date') or (period_type = 'rolling_3m' and period = '2025-09'"
        " and metric = 'sat_overall' and breakdown = 'all') order by period_type, period",
    )
    assert found == [
        ("fy_to_date", "2025-06", True, False, True, None),
        ("fy_to_date", "2025-09", False, False, False, 45),
        ("fy_to_date", "2025-12", False, False, False, 85),
        ("quarter", "2025-06", True, False, True, None),
        ("quarter", "2025-09", False, True, True, None),
        ("quarter", "2025-12", False, False, False, 40),
        ("rolling_3m", "2025-09", False, True, True, None),
    ]
