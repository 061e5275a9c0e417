"""marts.responses for analysts: answer columns hold valid answers only, `<column>_code` what
was answered; label tables turn codes into names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.given import build_warehouse, cells

ROWS = [
    {"sat_overall": 7, "sat_court": 9, "vcop_07": "Y", "vcop_08": "NA", "svc_IDVA_status": "SUPPORTED",
     "svc_IDVA_sat": 8, "svc_IDVA_cope": "DK", "svc_IDVA_safer": "Y"},
    {"sat_overall": 8, "vcop_07": "DK", "svc_IDVA_status": "SUPPORTED", "svc_IDVA_sat": 4, "svc_IDVA_cope": "N"},
    {"sat_overall": 2, "crime_group": "RAPE"},
]  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("responses") / "w.duckdb", [ROWS])


@pytest.mark.parametrize(
    ("column", "valid", "answered"),
    [
        ("sat_overall", [7, None, 2], [7, 8, 2]),
        ("sat_court", [None, None, None], [9, None, None]),
        ("vcop_07", ["Y", None, None], ["Y", "DK", None]),
        ("vcop_08", [None, None, None], ["NA", None, None]),
        ("svc_IDVA_sat", [None, 4, None], [8, 4, None]),
        ("svc_IDVA_cope", [None, "N", None], ["DK", "N", None]),
        ("svc_IDVA_safer", ["Y", None, None], ["Y", None, None]),
    ],
)
def test_answer_columns_hold_valid_answers_and_codes_keep_the_rest(
    warehouse: Path, column: str, valid: list, answered: list
) -> None:
    found = cells(warehouse, f"select {column}, {column}_code from marts.responses order by response_id")
    assert found == list(zip(valid, answered, strict=True))


def test_an_average_of_satisfaction_ignores_dont_know(warehouse: Path) -> None:
    assert cells(warehouse, "select avg(sat_overall) from marts.responses") == [(4.5,)]


def test_other_columns_are_as_loaded(warehouse: Path) -> None:
    columns = [c for (c,) in cells(warehouse, "select column_name from (describe marts.responses)")]
    assert "repeat_victim" in columns and "repeat_victim_code" not in columns  # a breakdown, DK is a category
    assert columns[0] == "response_id" and columns.count("sat_overall") == 1


def test_label_tables_name_the_codes(warehouse: Path) -> None:
    found = cells(
        warehouse,
        "select g.crime_group_name, m.label from marts.responses as r"
        " inner join reference.crime_groups as g using (crime_group)"
        " cross join reference.metrics as m where m.metric = 'sat_overall' and r.sat_overall = 2",
    )
    assert found == [("Rape", "Whole experience")]
