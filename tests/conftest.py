"""Shared fixtures: a valid base row, delivery writers and an isolated environment."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from schemas.codebook import load_codebook
from victim_voice.settings import Settings, apply_prefect_offline_defaults

apply_prefect_offline_defaults()  # no test may phone home, whatever the developer's environment
RUN_DATE = date(2024, 6, 30)
TEST_KEY = "test-pseudonym-key-0123456789abcdef"


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's settings, key or Prefect server."""
    for name in (
        "VICTIM_VOICE_LANDING",
        "VICTIM_VOICE_WAREHOUSE",
        "VICTIM_VOICE_PSEUDONYM_KEY_FILE",
        "PREFECT_API_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VICTIM_VOICE_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.setenv("VICTIM_VOICE_SETTLE_SECONDS", "0")  # tests write files and ingest them at once
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)


def base_row(**overrides: str) -> dict[str, str]:
    """A valid delivered row (text values, as a supplier would send), with overrides."""
    row = {name: "" for name in load_codebook().column_names}
    row.update(
        response_id="VV00000001",
        interview_date="2024-05-14",
        mode="PHONE",
        status="COMPLETE",
        consent_share_comments="Y",
        crime_reference="54123456789",
        area="SWINDON",
        crime_group="VIOLENCE_WITH_INJURY",
        domestic_abuse="Y",
        hate_crime="N",
        repeat_victim="N",
        journey_stage="INVESTIGATION",
        case_outcome="ONGOING",
        sat_contact="6",
        sat_informed="5",
        sat_overall="6",
        vcop_01="Y",
        vcop_08="NA",
        svc_IDVA_status="SUPPORTED",
        svc_IDVA_days="2",
        svc_IDVA_sat="5",
        svc_IDVA_cope="Y",
        svc_IDVA_safer="Y",
        svc_VWCU_status="REFERRED",
        age_band="25-34",
        gender="FEMALE",
        comment_police='She said, "we will call you back"\nand they did.',
    )
    row.update(overrides)
    return row


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8", newline: str = "\r\n") -> Path:
    """Write rows as an RFC 4180 CSV delivery (header from the first row's keys)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator=newline)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    return folder


@pytest.fixture
def settings(tmp_path: Path, landing: Path) -> Settings:
    return Settings.from_env().with_paths(landing, tmp_path / "warehouse" / "warehouse.duckdb")


@pytest.fixture
def rows_factory() -> Callable[..., dict[str, str]]:
    return base_row


def full_month(period: str, rows: int = 170) -> list[dict[str, str]]:
    """A delivery for ``period`` (YYYY-MM) that meets every supplier quota: 40 violence with
    domestic abuse, 15 sexual offences, 10 burglaries, 5 hate crimes, 170 rows in all."""
    groups = ["VIOLENCE_WITH_INJURY"] * 40 + ["RAPE"] * 15 + ["BURGLARY_RESIDENTIAL"] * 10
    groups += ["CRIMINAL_DAMAGE"] * (rows - len(groups))
    return [
        base_row(
            response_id=f"VV{period[2:4]}{period[5:7]}{number:04d}",
            interview_date=f"{period}-14",
            crime_group=group,
            domestic_abuse="Y" if number < 40 else "N",
            hate_crime="Y" if 100 <= number < 105 else "N",
            comment_police="",
        )
        for number, group in enumerate(groups)
    ]
