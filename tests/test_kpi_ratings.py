"""metrics-v2 §4: KPI targets from the contract file and marts.kpi_ratings, from given rows."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from schemas.codebook import CONTRACT_PATH, parse_codebook
from tests.given import build_warehouse, cells
from warehouse.reference import target_frame

JANUARY = [{"interview_date": "2024-01-10"}]  # makes Jan-Mar 2024 a complete window


def idva(area: str, contacted: int, referred: int, late: int = 0) -> list[dict]:
    """`referred` responses in `area` referred to the IDVA service in March, `contacted` of them
    contacted: within 2 days, or 9 days for the first `late`."""
    return [
        {
            "interview_date": "2024-03-10",
            "area": area,
            "svc_IDVA_status": "CONTACTED",
            "svc_IDVA_days": 9 if i < late else 2,
        }
        if i < contacted
        else {"interview_date": "2024-03-10", "area": area, "svc_IDVA_status": "REFERRED"}
        for i in range(referred)
    ]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = JANUARY + idva("SWINDON", 100, 100) + idva("WILTSHIRE", 20, 40, late=3)
    rows += [{"interview_date": "2024-03-10", "area": "SWINDON", "svc_REFUGE_status": "REFERRED"}] * 5
    return build_warehouse(tmp_path_factory.mktemp("kpi") / "w.duckdb", [rows])


def rating(warehouse: Path, contract: str, metric: str, period_type: str = "rolling_3m") -> tuple:
    [found] = cells(
        warehouse,
        "select area, target, denominator, rate, ci_low, ci_high, rating from marts.kpi_ratings"
        " where contract = ? and metric = ? and period_type = ? and period = '2024-03'",
        [contract, metric, period_type],
    )
    return found


def test_an_area_limited_scope_is_rated_on_its_area_only(warehouse: Path) -> None:
    area, target, denominator, rate, ci_low, _, verdict = rating(warehouse, "DA_SWINDON", "svc_IDVA_contact")
    assert (area, target, denominator, rate) == ("SWINDON", 0.9, 100, 1.0)
    assert ci_low >= target and verdict == "GREEN"


def test_red_when_the_whole_interval_is_below_the_target(warehouse: Path) -> None:
    area, target, denominator, rate, _, ci_high, verdict = rating(warehouse, "IDVA_WILTSHIRE", "svc_IDVA_contact")
    assert (area, denominator, rate) == ("WILTSHIRE", 40, 0.5)
    assert ci_high < target and verdict == "RED"


def test_amber_when_the_interval_straddles_the_target(warehouse: Path) -> None:
    """Wiltshire: 17 of 20 contacted within 5 days, 85% against 80%, interval about 64% to 95%."""
    _, target, denominator, rate, ci_low, ci_high, verdict = rating(warehouse, "IDVA_WILTSHIRE", "svc_IDVA_timely")
    assert (target, denominator, rate) == (0.8, 20, 0.85)
    assert ci_low < target <= ci_high and verdict == "AMBER"


def test_not_rated_when_withheld_without_answers_or_without_target(warehouse: Path) -> None:
    assert rating(warehouse, "DA_SWINDON", "svc_REFUGE_contact") == ("all", 0.9, None, None, None, None, "NOT_RATED")
    assert rating(warehouse, "ISVA", "svc_ISVA_contact") == ("all", 0.9, 0, None, None, None, "NOT_RATED")
    assert rating(warehouse, "DA_SWINDON", "svc_IDVA_safer")[1:] == (None, 0, None, None, None, "NOT_RATED")


def test_one_row_per_contract_service_metric_and_period(warehouse: Path) -> None:
    found = cells(warehouse, "select distinct period_type from marts.kpi_ratings order by 1")
    assert found == [("quarter",), ("rolling_3m",)]  # Jan-Mar 2024: no 12 months, no whole year
    [(rows, keys)] = cells(
        warehouse,
        "select count(*), count(distinct (contract, service, metric, period_type, period)) from marts.kpi_ratings",
    )
    assert rows == keys == 2 * 5 * len(scopes())  # two windows, five service metrics, every scope


def scopes() -> list[dict]:
    raw = yaml.safe_load(CONTRACT_PATH.read_text(encoding="utf-8"))
    return [scope for contract in raw["contracts"].values() for scope in contract["scope"]]


def test_targets_are_edited_in_the_contract_file() -> None:
    raw = yaml.safe_load(CONTRACT_PATH.read_text(encoding="utf-8"))
    edited = copy.deepcopy(raw)
    edited["targets"]["svc_IDVA_contact"] = 0.95  # one service's own target wins over svc_*_contact
    edited["contracts"]["DA_SWINDON"]["targets"] = {"svc_*_cope": 0.5}  # a contract's own win over both
    frame = target_frame(parse_codebook(edited)).set_index(["contract", "service", "metric"])["target"]
    assert frame[("IDVA_WILTSHIRE", "IDVA", "svc_IDVA_contact")] == 0.95
    assert frame[("ISVA", "ISVA", "svc_ISVA_contact")] == 0.9
    assert frame[("DA_SWINDON", "IDVA", "svc_IDVA_cope")] == 0.5
    assert frame[("IDVA_WILTSHIRE", "IDVA", "svc_IDVA_cope")] == 0.75


@pytest.mark.parametrize("bad", [{"svc_*_contact": 1.5}, {"sat_overall": 0.8}, {"svc_*_contact": "high"}])
def test_a_target_that_is_not_a_rate_for_a_service_metric_is_refused(bad: dict) -> None:
    raw = yaml.safe_load(CONTRACT_PATH.read_text(encoding="utf-8"))
    with pytest.raises(ValueError, match="targets"):
        parse_codebook({**raw, "targets": bad})
