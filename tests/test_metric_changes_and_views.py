"""marts.metric_changes and the reader views, from given rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from statsmodels.stats.proportion import proportions_ztest

from tests.given import build_warehouse, cells


def answers(month: str, satisfied: int, total: int, **extra) -> list[dict]:
    """`total` responses interviewed in `month`, `satisfied` of them satisfied overall."""
    return [{"interview_date": f"{month}-10", "sat_overall": 6 if i < satisfied else 2, **extra} for i in range(total)]


@pytest.fixture(scope="module")
def changes_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = (
        answers("2023-04", 39, 50)  # the same 3 months a year earlier: Apr-Jun 2023
        + answers("2024-01", 20, 50)  # the previous 3 months: Jan-Mar 2024
        + answers("2024-05", 40, 50)  # the latest 3 months: Apr-Jun 2024
        + answers("2024-06", 4, 5, gender="FEMALE")  # a suppressed breakdown cell
        + answers("2024-02", 0, 5, gender="FEMALE")
    )
    return build_warehouse(tmp_path_factory.mktemp("changes") / "w.duckdb", [rows])


def change(warehouse: Path, comparison: str, breakdown: str = "all", value: str = "all") -> dict:
    found = cells(
        warehouse,
        "select period, comparison_period, numerator, denominator, comparison_numerator, comparison_denominator,"
        " difference, p_value, significant, suppressed from marts.metric_changes"
        " where metric = 'sat_overall' and breakdown = ? and breakdown_value = ? and comparison = ?",
        [breakdown, value, comparison],
    )
    names = ["period", "comparison_period", "x", "n", "x0", "n0", "difference", "p_value", "significant", "suppressed"]
    [row] = found
    return dict(zip(names, row, strict=True))


def test_latest_3_months_against_the_previous_3(changes_warehouse: Path) -> None:
    got = change(changes_warehouse, "previous_3m")
    assert (got["period"], got["comparison_period"]) == ("2024-06", "2024-03")
    assert (got["x"], got["n"], got["x0"], got["n0"]) == (44, 55, 20, 55)
    expected_p = proportions_ztest([44, 20], [55, 55])[1]
    assert got["p_value"] == pytest.approx(expected_p, rel=1e-6)
    assert got["difference"] == pytest.approx(44 / 55 - 20 / 55)
    assert got["significant"] is True


def test_latest_3_months_against_a_year_earlier(changes_warehouse: Path) -> None:
    got = change(changes_warehouse, "year_earlier")
    assert (got["comparison_period"], got["x0"], got["n0"]) == ("2023-06", 39, 50)
    assert got["p_value"] == pytest.approx(proportions_ztest([44, 39], [55, 50])[1], rel=1e-6)
    assert got["significant"] is False


def test_a_change_between_suppressed_cells_is_never_flagged(changes_warehouse: Path) -> None:
    got = change(changes_warehouse, "previous_3m", "gender", "FEMALE")
    assert (got["x"], got["n"], got["x0"], got["n0"]) == (4, 5, 0, 5)
    assert got["suppressed"] is True and got["significant"] is False and got["p_value"] is None


def test_identical_extreme_rates_have_p_value_1(tmp_path: Path) -> None:
    rows = answers("2024-01", 12, 12) + answers("2024-06", 15, 15)
    warehouse = build_warehouse(tmp_path / "w.duckdb", [rows])
    got = change(warehouse, "previous_3m")
    assert (got["p_value"], got["significant"]) == (1.0, False)


def test_service_handoff_chain_counts_each_step(tmp_path: Path) -> None:
    chain = (
        [{"svc_ISVA_status": "REFERRED"}] * 4
        + [{"svc_ISVA_status": "CONTACTED", "svc_ISVA_days": 9}] * 2
        + [{"svc_ISVA_status": "SUPPORTED", "svc_ISVA_days": 2, "svc_ISVA_sat": 5, "svc_ISVA_cope": "Y"}] * 3
        + [{"svc_ISVA_status": "SUPPORTED", "svc_ISVA_days": 4, "svc_ISVA_sat": 3, "svc_ISVA_cope": "N"}] * 2
        + [{"svc_SARC_status": "REFERRED"}] * 3
    )
    warehouse = build_warehouse(tmp_path / "w.duckdb", [chain])
    found = cells(
        warehouse,
        "select service, referred, contacted, contacted_within_target, supported, satisfied, better_able_to_cope,"
        " suppressed, indicative from marts.service_handoff_chain where period_type = 'month' order by service",
    )
    assert found == [
        ("ISVA", 11, 7, 5, 5, 3, 3, False, True),
        ("SARC", None, None, None, None, None, None, True, False),  # fewer than 10 referred
    ]


def test_victims_code_views_by_right_and_principle(tmp_path: Path) -> None:
    rows = [{"vcop_07": "Y", "vcop_12": "N"}] * 6 + [{"vcop_07": "N", "vcop_12": "N", "vcop_01": "Y"}] * 6
    warehouse = build_warehouse(tmp_path / "w.duckdb", [rows])
    by_right = cells(
        warehouse, "select right_code, principle, answered, rate from marts.victims_code_by_right order by 1"
    )
    assert by_right == [
        ("vcop_01", "information", 6, None),
        ("vcop_07", "voice", 12, 0.5),
        ("vcop_12", "challenge", 12, 0.0),
    ]
    by_principle = cells(warehouse, "select principle, answers, rate from marts.victims_code_by_principle order by 1")
    assert by_principle == [("all", 30, 12 / 30), ("challenge", 12, 0.0), ("information", 6, None), ("voice", 12, 0.5)]


def test_funnel_and_scorecard_views_hide_suppressed_cells(tmp_path: Path) -> None:
    rows = [{"crime_group": "BURGLARY_RESIDENTIAL", "journey_stage": "INVESTIGATION", "sat_overall": 6}] * 12 + [
        {"crime_group": "RAPE", "journey_stage": "COURT", "domestic_abuse": "Y", "sat_overall": 2}
    ] * 3
    warehouse = build_warehouse(tmp_path / "w.duckdb", [rows])
    funnel = cells(
        warehouse,
        "select crime_group, responses, reached_investigation, reached_court, suppressed"
        " from marts.journey_funnel_by_crime_group order by 1",
    )
    assert funnel == [
        ("ALL", 15, 1.0, 0.2, False),
        ("BURGLARY_RESIDENTIAL", 12, 1.0, 0.0, False),
        ("RAPE", None, None, None, True),
    ]
    scorecard = cells(
        warehouse, "select crime_type, responses, satisfied_overall from marts.crime_type_scorecard order by 1"
    )
    assert scorecard == [
        ("ALL", 15, 0.8),
        ("BURGLARY_RESIDENTIAL", 12, 1.0),
        ("DOMESTIC_ABUSE", None, None),
        ("RAPE", None, None),
    ]
