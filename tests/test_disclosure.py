"""Disclosure control in what leaves the warehouse: no suppressed cell can be recovered by subtraction."""

from __future__ import annotations

from pathlib import Path

from tests.given import build_warehouse, cells


def recoverable_cells(warehouse: Path) -> list[tuple]:
    """Withheld cells an attacker recovers exactly as `all` minus the other published cells of
    their breakdown: a breakdown with one withheld cell and no blank answers (when some answers
    are blank, the difference is the cell plus the blanks, an unknown split)."""
    return cells(
        warehouse,
        """
        with published as (select * from marts.published_metric_values),
        complete as (  -- breakdowns whose cells add up to the total: nobody left out as blank
            select v.metric, v.period_type, v.period, v.breakdown
            from marts.metric_values as v
            inner join marts.metric_values as total
                on total.metric = v.metric and total.period_type = v.period_type and total.period = v.period
                and total.breakdown = 'all'
            where v.breakdown <> 'all'
            group by all
            having sum(v.denominator) = any_value(total.denominator)
        )
        select p.metric, p.period_type, p.period, p.breakdown
        from published as p
        inner join complete using (metric, period_type, period, breakdown)
        inner join published as total
            on total.metric = p.metric and total.period_type = p.period_type and total.period = p.period
            and total.breakdown = 'all'
        where not total.withheld
        group by all
        having count(*) filter (where p.withheld) = 1
        """,
    )


# Published cells are rolling windows: one response in January makes March's 3 months complete.
JANUARY = [{"interview_date": "2024-01-10"}]


def in_march(rows: list[dict]) -> list[dict]:
    return JANUARY + [{**row, "interview_date": "2024-03-10"} for row in rows]


def test_the_next_smallest_cell_is_withheld_with_a_suppressed_one(tmp_path: Path) -> None:
    rows = (
        [{"age_band": "25-34", "sat_overall": 6}] * 40
        + [{"age_band": "35-44", "sat_overall": 2}] * 15
        + [{"age_band": "18-24", "sat_overall": 6}] * 3
    )
    warehouse = build_warehouse(tmp_path / "w.duckdb", [in_march(rows)])
    published = cells(
        warehouse,
        "select breakdown_value, numerator, denominator, suppressed, secondarily_suppressed from"
        " marts.published_metric_values where metric = 'sat_overall' and breakdown = 'age_band'"
        " and period_type = 'rolling_3m' order by 1",
    )
    assert published == [
        ("18-24", None, None, True, False),
        ("25-34", 40, 40, False, False),
        ("35-44", None, None, False, True),
    ]
    # the attack: `all` (58) minus the published 25-34 (40) leaves 18 = 3 + 15, not the 3
    assert recoverable_cells(warehouse) == []


def test_without_secondary_suppression_the_attack_would_work(tmp_path: Path) -> None:
    rows = [{"gender": "FEMALE", "sat_overall": 6}] * 40 + [{"gender": "MALE", "sat_overall": 2}] * 4
    warehouse = build_warehouse(tmp_path / "w.duckdb", [in_march(rows)])
    [(all_denominator,)] = cells(
        warehouse,
        "select denominator from marts.published_metric_values where metric = 'sat_overall' and breakdown = 'all'"
        " and period_type = 'rolling_3m'",
    )
    female = cells(
        warehouse,
        "select denominator, withheld from marts.published_metric_values"
        " where metric = 'sat_overall' and breakdown = 'gender' and breakdown_value = 'FEMALE'"
        " and period_type = 'rolling_3m'",
    )
    assert all_denominator - 40 == 4  # what subtraction would reveal ...
    assert female == [(None, True)]  # ... so the other cell is withheld too
    assert recoverable_cells(warehouse) == []


def test_no_cell_is_recoverable_on_generated_data(tmp_path: Path) -> None:
    from datetime import date

    from victim_voice.demo import write_demo_deliveries
    from victim_voice.ingestion.run import ingest_landing
    from victim_voice.settings import Settings

    settings = Settings(landing=tmp_path / "landing", warehouse=tmp_path / "w.duckdb", pseudonym_key="k" * 32)
    settings.landing.mkdir()
    write_demo_deliveries(settings.landing, months=4, seed=3, today=date(2024, 6, 30))
    ingest_landing(settings, date(2024, 6, 30))
    assert cells(settings.warehouse, "select count(*) from marts.published_metric_values where suppressed")[0][0] > 0
    assert recoverable_cells(settings.warehouse) == []


def test_months_are_not_published_beside_their_windows(tmp_path: Path) -> None:
    """month(M) = rolling_3m(M) - month(M-1) - month(M-2) would undo any suppression."""
    rows = [{"interview_date": f"2024-0{m}-10", "sat_overall": 6} for m in (1, 2, 3) for _ in range(4)]
    warehouse = build_warehouse(tmp_path / "w.duckdb", [rows])
    published = cells(warehouse, "select distinct period_type from marts.published_metric_values order by 1")
    assert published == [("quarter",), ("rolling_3m",)]  # Jan-Mar 2024 is also Q4 2023-24
    assert cells(warehouse, "select count(*) from marts.metric_values where period_type = 'month'")[0][0] > 0


def nested_windows_left_recoverable(warehouse: Path) -> list[tuple]:
    """Published windows made of two others end to end where the whole is shown and exactly one
    part is withheld: that part would be the whole minus the other (metrics-v2 §5)."""
    return cells(
        warehouse,
        """
        with spans as (
            select metric, breakdown, breakdown_value, bool_or(withheld) as withheld,
                left(period_start, 4)::int * 12 + right(period_start, 2)::int as first_month,
                left(period, 4)::int * 12 + right(period, 2)::int as last_month
            from marts.published_metric_values
            group by metric, breakdown, breakdown_value, period_start, period
        )
        select whole.metric, whole.breakdown, whole.breakdown_value, whole.first_month, whole.last_month
        from spans as whole
        inner join spans as head using (metric, breakdown, breakdown_value)
        inner join spans as tail using (metric, breakdown, breakdown_value)
        where head.first_month = whole.first_month and head.last_month < whole.last_month
            and tail.first_month = head.last_month + 1 and tail.last_month = whole.last_month
            and not whole.withheld and head.withheld <> tail.withheld
        """,
    )


def test_no_quarter_is_recoverable_from_nested_financial_windows_on_generated_data(tmp_path: Path) -> None:
    from datetime import date

    from victim_voice.demo import write_demo_deliveries
    from victim_voice.ingestion.run import ingest_landing
    from victim_voice.settings import Settings

    settings = Settings(landing=tmp_path / "landing", warehouse=tmp_path / "w.duckdb", pseudonym_key="k" * 32)
    settings.landing.mkdir()
    write_demo_deliveries(settings.landing, months=13, seed=3, today=date(2025, 5, 31))  # Apr 2024 - Apr 2025
    ingest_landing(settings, date(2025, 5, 31))
    found = cells(
        settings.warehouse,
        "select count(*) filter (where period_type = 'financial_year'), count(*) filter (where differencing_suppressed)"
        " from marts.published_metric_values",
    )
    assert found[0][0] > 0 and found[0][1] > 0  # a whole year, and the rule had work to do
    assert nested_windows_left_recoverable(settings.warehouse) == []
    assert recoverable_cells(settings.warehouse) == []  # nor a part withheld alone in its breakdown
