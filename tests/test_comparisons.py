"""metrics-v2 §3: marts.group_comparisons and Benjamini–Hochberg q-values (on group comparisons
and metric changes), against statsmodels' proportions_ztest and multipletests(fdr_bh)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from tests.given import build_warehouse, cells

JANUARY = [{"interview_date": "2024-01-10"}]  # makes Jan-Mar 2024 a complete window


def in_march(rows: list[dict]) -> list[dict]:
    return JANUARY + [{**row, "interview_date": "2024-03-10"} for row in rows]


@pytest.fixture(scope="module")
def da_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = (
        [{"domestic_abuse": "Y", "sat_overall": 6}] * 12
        + [{"domestic_abuse": "Y", "sat_overall": 2}] * 28
        + [{"domestic_abuse": "N", "sat_overall": 6, "gender": "MALE"}] * 45
        + [{"domestic_abuse": "N", "sat_overall": 2, "gender": "MALE"}] * 15
        + [{"domestic_abuse": "N", "sat_overall": 6, "gender": "FEMALE"}] * 20  # fewer than 30: no test
    )
    return build_warehouse(tmp_path_factory.mktemp("da") / "w.duckdb", [in_march(rows)])


def comparison(warehouse: Path, breakdown: str, value: str, period_type: str = "rolling_3m") -> list[tuple]:
    return cells(
        warehouse,
        "select numerator, denominator, rest_numerator, rest_denominator, difference, p_value"
        " from marts.group_comparisons where metric = 'sat_overall' and period_type = ? and period = '2024-03'"
        " and breakdown = ? and breakdown_value = ?",
        [period_type, breakdown, value],
    )


def test_domestic_abuse_victims_against_other_victims_not_all(da_warehouse: Path) -> None:
    [(x, n, rest_x, rest_n, difference, p_value)] = comparison(da_warehouse, "domestic_abuse", "Y")
    assert (x, n, rest_x, rest_n) == (12, 40, 65, 80)  # the rest: domestic abuse N only
    assert difference == pytest.approx(12 / 40 - 65 / 80)
    assert p_value == pytest.approx(proportions_ztest([12, 65], [40, 80])[1], rel=1e-6)


def test_the_same_window_as_a_financial_quarter(da_warehouse: Path) -> None:
    assert comparison(da_warehouse, "domestic_abuse", "Y", "quarter") == comparison(da_warehouse, "domestic_abuse", "Y")


def test_a_side_below_30_is_not_tested(da_warehouse: Path) -> None:
    assert comparison(da_warehouse, "gender", "FEMALE") == []  # 20 answers
    assert comparison(da_warehouse, "gender", "MALE") == []  # its rest is the 20


def two_sided_p(x: int, n: int, x0: int, n0: int) -> float:
    """statsmodels' pooled z-test; 1 where both rates are 0% or both 100% (it gives nan there)."""
    return 1.0 if (x + x0) in (0, n + n0) else float(proportions_ztest([x, x0], [n, n0])[1])


@pytest.fixture(scope="module")
def random_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """900 responses over Jan-Mar 2024 with random groups and answers: many tests per family."""
    rng = np.random.default_rng(7)
    groups = ["THEFT", "BURGLARY_RESIDENTIAL", "RAPE", "VIOLENCE_WITH_INJURY"]
    rows = [
        {
            "interview_date": f"2024-0{rng.integers(1, 4)}-10",
            "crime_group": str(rng.choice(groups)),
            "domestic_abuse": str(rng.choice(["Y", "N"])),
            "gender": str(rng.choice(["FEMALE", "MALE"])),
            "sat_overall": int(rng.integers(1, 8)),
            "sat_contact": int(rng.integers(4, 8)) if rng.random() < 0.5 else int(rng.integers(1, 8)),
            "vcop_07": str(rng.choice(["Y", "N"], p=[0.7, 0.3])),
            "journey_stage": str(rng.choice(["REPORTED", "INVESTIGATION", "COURT"])),
        }
        for _ in range(900)
    ]
    return build_warehouse(tmp_path_factory.mktemp("random") / "w.duckdb", [rows])


def test_group_comparison_q_values_are_benjamini_hochberg_per_window(random_warehouse: Path) -> None:
    found = cells(
        random_warehouse,
        "select period_type, period, p_value, q_value, significant, numerator, denominator,"
        " rest_numerator, rest_denominator from marts.group_comparisons order by period_type, period, p_value",
    )
    families = {(t, p) for t, p, *_ in found}
    assert len(families) >= 2 and len(found) > 50
    for family in families:
        rows = [r for r in found if (r[0], r[1]) == family]
        p_values = [two_sided_p(r[5], r[6], r[7], r[8]) for r in rows]
        assert [r[2] for r in rows] == pytest.approx(p_values, rel=1e-6)
        rejected, q_values, *_ = multipletests([r[2] for r in rows], method="fdr_bh")
        assert [r[3] for r in rows] == pytest.approx(list(q_values), rel=1e-9)
        assert [r[4] for r in rows] == list(rejected)


def test_metric_change_q_values_are_benjamini_hochberg_per_comparison(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    rows = [
        {
            "interview_date": f"{year}-{month:02d}-10",
            "gender": str(rng.choice(["FEMALE", "MALE"])),
            "sat_overall": int(rng.integers(1, 8)) if month < 4 else int(rng.integers(3, 8)),
            "vcop_07": str(rng.choice(["Y", "N"])),
        }
        for year, month in [(2023, m) for m in range(4, 13)] + [(2024, m) for m in range(1, 7)]
        for _ in range(60)
    ]
    warehouse = build_warehouse(tmp_path / "w.duckdb", [rows])
    found = cells(
        warehouse,
        "select comparison, p_value, q_value, significant from marts.metric_changes order by comparison, p_value",
    )
    for comparison_name in ("previous_3m", "year_earlier"):
        family = [r for r in found if r[0] == comparison_name]
        tested = [r for r in family if r[1] is not None]
        assert len(tested) > 10
        rejected, q_values, *_ = multipletests([r[1] for r in tested], method="fdr_bh")
        assert [r[2] for r in tested] == pytest.approx(list(q_values), rel=1e-9)
        assert [r[3] for r in tested] == list(rejected)
        assert all(r[2] is None and r[3] is False for r in family if r[1] is None)
