"""Every row rule of the contract, one bad row each, through the real reader and validator."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from schemas.delivery import validate_rows
from tests.conftest import RUN_DATE, base_row, write_csv
from victim_voice.delivery.reading import read_delivery

CASES = yaml.safe_load((Path(__file__).parent / "fixtures" / "row_rules.yaml").read_text(encoding="utf-8"))


def bad_row(overrides: dict[str, str]) -> dict[str, str]:
    """The base row with a case's changes; a different id unless the case is about ids."""
    changes = {"response_id": "VV00000002", **overrides}
    if changes.get("comment_services") == "@LONG_TEXT_4001@":
        changes["comment_services"] = "x" * 4001
    return base_row(**changes)


def write_case(folder: Path, overrides: dict[str, str]) -> Path:
    """A delivery of one good row then the case's bad row."""
    path = folder / "VictimVoice_2024-05_01.csv"
    extra = overrides.pop("@EXTRA_CELL@", None) if "@EXTRA_CELL@" in overrides else None
    write_csv(path, [base_row(), bad_row(overrides)])
    if extra is not None:  # append one cell to the last record: more cells than the header
        path.write_bytes(path.read_bytes().rstrip(b"\r\n") + b",x\r\n")
    return path


@pytest.mark.parametrize("case", CASES, ids=[c["rule"] for c in CASES])
def test_bad_row_is_quarantined_with_exact_reasons(case: dict, tmp_path: Path) -> None:
    delivery = read_delivery(write_case(tmp_path, dict(case["row"])))
    result = validate_rows(delivery.frame, RUN_DATE, delivery.row_numbers, delivery.row_shapes)

    assert result.valid["row_number"].tolist() == [1]
    found = result.quarantine.sort_values(["column_name", "check_name"], na_position="first")
    assert found["row_number"].unique().tolist() == [2]
    got = [[None if c != c else c, k, r] for c, k, r in found[["column_name", "check_name", "reason"]].to_numpy()]
    assert got == case["expect"]


def test_reasons_never_quote_the_delivered_value(tmp_path: Path) -> None:
    delivery = read_delivery(
        write_case(tmp_path, {"crime_reference": "5512345678X", "mode": "Call Sarah Jones", "response_id": "Sarah"})
    )
    result = validate_rows(delivery.frame, RUN_DATE, delivery.row_numbers)
    text = result.quarantine.to_string()
    for secret in ("5512345678X", "Sarah", "Jones"):
        assert secret not in text
    assert result.quarantine["response_id"].isna().all()  # a malformed id is not kept


def test_messy_but_valid_values_pass_and_are_normalised(tmp_path: Path) -> None:
    messy = base_row(
        response_id=" vv00000002 ",
        mode=" phone",
        interview_date="3/4/2024",
        vcop_08="na",
        sat_overall=" 07 ",
        svc_idva_status="Supported",
    )
    messy.pop("svc_IDVA_status")
    path = write_csv(tmp_path / "VictimVoice_2024-05_01.csv", [messy])
    delivery = read_delivery(path)
    result = validate_rows(delivery.frame, RUN_DATE, delivery.row_numbers)

    assert result.quarantine.empty
    row = result.valid.iloc[0]
    assert (row["response_id"], row["mode"], row["vcop_08"], row["svc_IDVA_status"]) == (
        "VV00000002",
        "PHONE",
        "NA",
        "SUPPORTED",
    )
    assert str(row["interview_date"]) == "2024-04-03"  # day-first: 3 April
    assert row["sat_overall"] == 7
