"""marts.metric_values and friends, from hand-written given rows to expected cells."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from schemas.codebook import load_codebook
from tests.given import build_warehouse, cells

CASES = yaml.safe_load((Path(__file__).parent / "fixtures" / "metric_cases.yaml").read_text(encoding="utf-8"))
KEY = "metric = ? and period_type = ? and period = ? and breakdown = ? and breakdown_value = ?"


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_given_rows_give_expected_cells(case: dict, tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb", [case["responses"]])
    for *key, numerator, denominator in case.get("cells", []):
        found = cells(warehouse, f"select numerator, denominator, rate from marts.metric_values where {KEY}", key)
        assert found == [(numerator, denominator, numerator / denominator)], key
    for key in case.get("absent", []):
        assert cells(warehouse, f"select * from marts.metric_values where {KEY}", key) == [], key


def test_corrections_supersede_in_the_metrics(tmp_path: Path) -> None:
    first = [{"response_id": "VV00000001", "sat_overall": 1}, {"response_id": "VV00000002", "sat_overall": 6}]
    correction = [{"response_id": "VV00000001", "sat_overall": 7}]
    warehouse = build_warehouse(tmp_path / "w.duckdb", [first, correction])
    assert cells(
        warehouse,
        "select numerator, denominator from marts.metric_values where metric = 'sat_overall' and breakdown = 'all'",
    ) == [(2, 2)]


@pytest.mark.parametrize(
    ("responses", "suppressed", "indicative"),
    [(9, True, False), (10, False, True), (29, False, True), (30, False, False)],
)
def test_disclosure_flags(tmp_path: Path, responses: int, suppressed: bool, indicative: bool) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb", [[{"sat_overall": 6}] * responses])
    assert cells(
        warehouse,
        "select suppressed, indicative from marts.metric_values where metric = 'sat_overall' and breakdown = 'all'",
    ) == [(suppressed, indicative)]


def test_wilson_interval_is_stored_with_each_cell(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb", [[{"sat_overall": 6}] * 8 + [{"sat_overall": 2}] * 2])
    [(rate, low, high)] = cells(
        warehouse,
        "select rate, ci_low, ci_high from marts.metric_values where metric = 'sat_overall' and breakdown = 'all'",
    )
    assert rate == 0.8
    assert low == pytest.approx(0.4901624, abs=1e-6) and high == pytest.approx(0.9433178, abs=1e-6)


def test_an_empty_warehouse_builds_empty_metrics(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb", [])
    assert cells(warehouse, "select count(*) from marts.metric_values") == [(0,)]
    assert cells(warehouse, "select count(*) from marts.quota_compliance") == [(0,)]


def test_quota_compliance_lists_every_month_including_gaps(tmp_path: Path) -> None:
    january = [{"domestic_abuse": "Y", "crime_group": "RAPE", "hate_crime": "Y"}] * 3 + [{}] * 2
    march = [{"interview_date": "2024-03-02", "crime_group": "BURGLARY_RESIDENTIAL"}]
    warehouse = build_warehouse(tmp_path / "w.duckdb", [january, march])
    found = cells(warehouse, "select period, quota, target, delivered, met from marts.quota_compliance order by all")
    assert ("2024-01", "domestic_abuse", 30, 3, False) in found
    assert ("2024-01", "sexual_offences", 15, 3, False) in found
    assert ("2024-01", "total", 170, 5, False) in found
    assert ("2024-02", "total", 170, 0, False) in found
    assert ("2024-03", "burglary", 10, 1, False) in found
    assert len(found) == 3 * 6


def test_quota_compliance_is_met_at_the_target(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb", [[{"hate_crime": "Y"}] * 5])
    assert cells(warehouse, "select met from marts.quota_compliance where quota = 'hate_crime'") == [(True,)]


def test_quota_rules_cover_the_codebook_quotas(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb", [[{}]])
    book = load_codebook()
    assert {q for (q,) in cells(warehouse, "select distinct quota from marts.quota_compliance")} == {
        q.name for q in book.quotas
    }
    sql = (Path(__file__).parents[1] / "sql" / "marts" / "quota_compliance.sql").read_text(encoding="utf-8")
    [unpivoted] = re.findall(r"unpivot \(select month, ([^)]*) from", sql)
    assert {q.column for q in book.column_quotas} <= set(unpivoted.split(", "))  # every rule's column is counted


def test_every_quota_counts_the_codes_its_rule_names(tmp_path: Path) -> None:
    """One response per code of every rule: each quota counts exactly its own codes."""
    book = load_codebook()
    month = [{q.column: value} for q in book.column_quotas for value in q.values]
    warehouse = build_warehouse(tmp_path / "w.duckdb", [month])
    found = dict(cells(warehouse, "select quota, delivered from marts.quota_compliance"))
    expected = {q.name: sum(row.get(q.column) in q.values for row in month) for q in book.column_quotas}
    assert found == {**expected, "total": len(month)}
