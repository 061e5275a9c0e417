"""The force's recorded-crime counts files: loaded, quarantined, rejected, corrected, never
twice, and never in the way of the supplier's deliveries (recorded-crime.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RUN_DATE, base_row, write_csv
from victim_voice.delivery.outcome import Status
from victim_voice.ingestion.run import ingest_landing
from victim_voice.settings import Settings
from warehouse.db import open_reader

HEADER = "month,area,crime_group,victims\r\n"


def counts_file(landing: Path, name: str, rows: list[str], header: str = HEADER) -> Path:
    path = landing / name
    path.write_bytes((header + "".join(f"{r}\r\n" for r in rows)).encode("utf-8"))
    return path


def rows_of(settings: Settings, sql: str) -> list[tuple]:
    with open_reader(settings.warehouse) as con:
        return con.execute(sql).fetchall()


GOOD = ["2024-05,SWINDON,THEFT,120", "2024-05,WILTSHIRE,THEFT,300", "2024-05,WILTSHIRE,RAPE,9"]


def test_a_valid_counts_file_loads_into_core_and_the_current_counts(settings: Settings, landing: Path) -> None:
    counts_file(landing, "RecordedCrime_2024-05_01.csv", GOOD)
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert (outcome.status, outcome.rows_loaded, outcome.rows_quarantined) == (Status.LOADED, 3, 0)
    assert rows_of(settings, "select file_name, kind, period, seq from audit.deliveries") == [
        ("RecordedCrime_2024-05_01.csv", "RECORDED_CRIME", "2024-05", 1)
    ]
    assert rows_of(settings, "select area, crime_group, victims from staging.stg_recorded_victims order by 1, 2") == [
        ("SWINDON", "THEFT", 120),
        ("WILTSHIRE", "RAPE", 9),
        ("WILTSHIRE", "THEFT", 300),
    ]


def test_bad_rows_are_quarantined_with_file_row_column_and_rule(settings: Settings, landing: Path) -> None:
    counts_file(
        landing,
        "RecordedCrime_2024-05_01.csv",
        [
            "2024-05,SWINDON,THEFT,120",
            "2024-04,SWINDON,RAPE,3",  # another month
            "2024-05,SWINDON,THEFT,7",  # repeats row 1's area and crime group
            "2024-05,DEVIZES,THEFT,5",  # no such area
            "2024-05,WILTSHIRE,ROBBERY,-4",  # not a whole number >= 0
            "2024-05,WILTSHIRE,BURGLARY_RESIDENTIAL,",  # blank
        ],
    )
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert (outcome.status, outcome.rows_loaded, outcome.rows_quarantined) == (Status.LOADED, 1, 5)
    quarantined = rows_of(
        settings, "select file_name, row_number, column_name, check_name, reason from audit.quarantine order by 2"
    )
    assert [q[:4] for q in quarantined] == [
        ("RecordedCrime_2024-05_01.csv", 2, "month", "same_month_as_file"),
        ("RecordedCrime_2024-05_01.csv", 3, "crime_group", "unique_in_file"),
        ("RecordedCrime_2024-05_01.csv", 4, "area", "allowed_values"),
        ("RecordedCrime_2024-05_01.csv", 5, "victims", "whole_number"),
        ("RecordedCrime_2024-05_01.csv", 6, "victims", "required"),
    ]
    assert quarantined[0][4] == "month must be 2024-05, the month in the file's name"
    assert "DEVIZES" not in " ".join(q[4] for q in quarantined)  # reasons quote the contract, not the data
    assert rows_of(settings, "select area, crime_group, victims from core.recorded_victims") == [
        ("SWINDON", "THEFT", 120)
    ]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        (
            "RecordedCrime_2024-5_01.csv",
            HEADER + "2024-05,SWINDON,THEFT,1\r\n",
            "the file is misnamed: a recorded-crime file must be named RecordedCrime_<YYYY-MM>_<NN>.csv",
        ),
        (
            "RecordedCrime_2024-13_01.csv",
            HEADER + "2024-13,SWINDON,THEFT,1\r\n",
            "the file is misnamed: its month 2024-13 has no such month",
        ),
        (
            "RecordedCrime_2024-05_01.csv",
            "month,area,victims\r\n2024-05,SWINDON,1\r\n",
            "the file lacks required column(s): crime_group",
        ),
        ("RecordedCrime_2024-05_01.csv", HEADER, "the file has no rows of counts"),
    ],
)
def test_a_broken_or_misnamed_counts_file_is_rejected_whole(
    settings: Settings, landing: Path, name: str, content: str, reason: str
) -> None:
    (landing / name).write_bytes(content.encode("utf-8"))
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert outcome.status is Status.REJECTED
    assert outcome.reason.startswith(reason)
    assert rows_of(settings, "select kind, status from audit.deliveries") == [("RECORDED_CRIME", "REJECTED")]
    assert rows_of(settings, "select count(*) from core.recorded_victims") == [(0,)]


def test_a_later_sequence_replaces_the_months_counts_entirely(settings: Settings, landing: Path) -> None:
    counts_file(landing, "RecordedCrime_2024-05_01.csv", GOOD)
    counts_file(landing, "RecordedCrime_2024-04_01.csv", ["2024-04,SWINDON,THEFT,50"])
    ingest_landing(settings, RUN_DATE)
    counts_file(landing, "RecordedCrime_2024-05_02.csv", ["2024-05,SWINDON,THEFT,125"])
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert outcome.status is Status.LOADED
    assert rows_of(
        settings, "select month, area, crime_group, victims from staging.stg_recorded_victims order by 1"
    ) == [
        ("2024-04", "SWINDON", "THEFT", 50),
        ("2024-05", "SWINDON", "THEFT", 125),  # WILTSHIRE's rows of _01 are gone: 0 now
    ]


def test_the_same_counts_file_is_never_loaded_twice(settings: Settings, landing: Path) -> None:
    path = counts_file(landing, "RecordedCrime_2024-05_01.csv", GOOD)
    assert len(ingest_landing(settings, RUN_DATE)) == 1
    assert ingest_landing(settings, RUN_DATE) == []  # same name, same bytes: not seen again
    (landing / "RecordedCrime_2024-05_02.csv").write_bytes(path.read_bytes())
    [copy] = ingest_landing(settings, RUN_DATE)
    assert copy.status is Status.DUPLICATE
    assert rows_of(settings, "select count(*) from core.recorded_victims") == [(3,)]


def test_a_survey_delivery_loads_beside_a_broken_counts_file(settings: Settings, landing: Path) -> None:
    (landing / "RecordedCrime_2024-05_01.csv").write_bytes(b"\xff\xfe not text at all \x81\x00")
    write_csv(landing / "VictimVoice_2024-05_01.csv", [base_row()])
    outcomes = {o.file_name: o.status for o in ingest_landing(settings, RUN_DATE)}
    assert outcomes == {"RecordedCrime_2024-05_01.csv": Status.REJECTED, "VictimVoice_2024-05_01.csv": Status.LOADED}
    assert rows_of(settings, "select count(*) from marts.responses") == [(1,)]
    assert rows_of(settings, "select kind from audit.deliveries where status = 'LOADED'") == [("SURVEY",)]
