"""Loading: one transaction per file, duplicates, corrections, pseudonyms, re-runs."""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import RUN_DATE, TEST_KEY, base_row, write_csv
from victim_voice.delivery.outcome import Status
from victim_voice.ingestion.run import ingest_landing
from victim_voice.protection.pseudonyms import pseudonymise
from victim_voice.settings import Settings
from warehouse import storage
from warehouse.db import open_writer


def table_snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Everything a re-run could change (processed_at aside)."""
    with open_writer(warehouse) as con:
        return {
            "deliveries": con.sql("select * exclude (processed_at) from audit.deliveries order by 1, 2").fetchall(),
            "quarantine": con.sql("select * from audit.quarantine order by all").fetchall(),
            "versions": con.sql("select * from core.response_versions order by all").fetchall(),
        }


def query(warehouse: Path, sql: str) -> list[tuple]:
    with open_writer(warehouse) as con:
        return con.sql(sql).fetchall()


def test_a_delivery_loads_valid_rows_and_quarantines_bad_ones(settings: Settings) -> None:
    write_csv(
        settings.landing / "VictimVoice_2024-05_01.csv",
        [base_row(), base_row(response_id="VV00000002", mode="FAX"), base_row(response_id="VV00000003")],
    )
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert (outcome.status, outcome.rows_in_file, outcome.rows_loaded, outcome.rows_quarantined) == (
        Status.LOADED,
        3,
        2,
        1,
    )
    assert query(settings.warehouse, "select response_id from marts.responses order by 1") == [
        ("VV00000001",),
        ("VV00000003",),
    ]
    assert query(
        settings.warehouse, "select row_number, response_id, column_name, check_name from audit.quarantine"
    ) == [(2, "VV00000002", "mode", "allowed_values")]


def test_rerun_changes_nothing_and_a_renamed_copy_is_a_duplicate(settings: Settings) -> None:
    first = write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row()])
    ingest_landing(settings, RUN_DATE)
    before = table_snapshot(settings.warehouse)

    assert ingest_landing(settings, RUN_DATE) == []
    assert table_snapshot(settings.warehouse) == before

    shutil.copy(first, settings.landing / "VictimVoice_2024-05_02.csv")
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert (outcome.status, outcome.rows_loaded, outcome.reason) == (
        Status.DUPLICATE,
        0,
        "byte-identical to VictimVoice_2024-05_01.csv, already processed",
    )
    assert query(settings.warehouse, "select count(*) from core.response_versions") == [(1,)]


def test_corrections_supersede_and_history_is_kept(settings: Settings) -> None:
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row(), base_row(response_id="VV00000002")])
    write_csv(settings.landing / "VictimVoice_2024-05_02.csv", [base_row(sat_overall="2")])
    write_csv(settings.landing / "VictimVoice_2024-06_01.csv", [base_row(response_id="VV00000002", sat_overall="1")])

    outcomes = ingest_landing(settings, RUN_DATE)

    assert [(o.file_name, o.rows_corrected) for o in outcomes] == [
        ("VictimVoice_2024-05_01.csv", 0),
        ("VictimVoice_2024-05_02.csv", 1),
        ("VictimVoice_2024-06_01.csv", 1),
    ]
    assert query(
        settings.warehouse, "select response_id, sat_overall, source_file from marts.responses order by 1"
    ) == [
        ("VV00000001", 2, "VictimVoice_2024-05_02.csv"),
        ("VV00000002", 1, "VictimVoice_2024-06_01.csv"),
    ]
    assert query(settings.warehouse, "select count(*) from core.response_versions") == [(4,)]


def test_files_are_taken_in_period_then_sequence_order(settings: Settings) -> None:
    # written newest first; the _02 correction must still win over _01
    write_csv(settings.landing / "VictimVoice_2024-05_02.csv", [base_row(sat_overall="3")])
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row(sat_overall="7")])
    write_csv(settings.landing / "VictimVoice_2024-04_01.csv", [base_row(response_id="VV00000009")])
    assert [o.file_name for o in ingest_landing(settings, RUN_DATE)] == [
        "VictimVoice_2024-04_01.csv",
        "VictimVoice_2024-05_01.csv",
        "VictimVoice_2024-05_02.csv",
    ]
    assert query(settings.warehouse, "select sat_overall from marts.responses where response_id = 'VV00000001'") == [
        (3,)
    ]


def test_a_late_earlier_period_does_not_supersede_a_later_one(settings: Settings) -> None:
    write_csv(settings.landing / "VictimVoice_2024-06_01.csv", [base_row(sat_overall="7")])
    ingest_landing(settings, RUN_DATE)
    write_csv(settings.landing / "VictimVoice_2024-05_03.csv", [base_row(sat_overall="1")])
    ingest_landing(settings, RUN_DATE)
    assert query(settings.warehouse, "select sat_overall from marts.responses") == [(7,)]


def test_crash_mid_file_leaves_no_trace_and_a_rerun_loads_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_csv(settings.landing / "VictimVoice_2024-04_01.csv", [base_row(response_id="VV00000009")])
    ingest_landing(settings, RUN_DATE)
    before = table_snapshot(settings.warehouse)
    write_csv(
        settings.landing / "VictimVoice_2024-05_01.csv", [base_row(), base_row(response_id="VV00000002", mode="X")]
    )

    def failing_insert(*args, **kwargs) -> None:
        raise duckdb.IOException("disk full (injected)")

    monkeypatch.setattr(storage, "insert_response_versions", failing_insert)
    with pytest.raises(duckdb.IOException):
        ingest_landing(settings, RUN_DATE)
    assert table_snapshot(settings.warehouse) == before  # delivery row and quarantine rows rolled back

    monkeypatch.undo()
    monkeypatch.setenv("VICTIM_VOICE_PSEUDONYM_KEY", TEST_KEY)
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert (outcome.status, outcome.rows_loaded, outcome.rows_quarantined) == (Status.LOADED, 1, 1)


def test_process_killed_mid_file_leaves_no_trace(settings: Settings, tmp_path: Path) -> None:
    """A hard kill (no rollback, no close) between the audit rows and the response rows."""
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row()])
    script = f"""
import os, sys
from datetime import date
from pathlib import Path
sys.path[:0] = {sys.path!r}
from warehouse import storage
from victim_voice.ingestion.run import ingest_landing
from victim_voice.settings import Settings
storage.insert_response_versions = lambda *a, **k: os._exit(9)
ingest_landing(Settings.from_env().with_paths(Path({str(settings.landing)!r}), Path({str(settings.warehouse)!r})),
               date(2024, 6, 30))
"""
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, check=False)
    assert killed.returncode == 9
    assert table_snapshot(settings.warehouse) == {"deliveries": [], "quarantine": [], "versions": []}
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert outcome.rows_loaded == 1


def test_crime_numbers_are_pseudonymised_never_stored(settings: Settings) -> None:
    write_csv(
        settings.landing / "VictimVoice_2024-05_01.csv",
        [base_row(), base_row(response_id="VV00000002", crime_reference="")],
    )
    write_csv(settings.landing / "VictimVoice_2024-06_01.csv", [base_row(response_id="VV00000003")])
    ingest_landing(settings, RUN_DATE)
    expected = pseudonymise("54123456789", TEST_KEY.encode())
    assert query(
        settings.warehouse, "select response_id, crime_reference_pseudonym from marts.responses order by 1"
    ) == [
        ("VV00000001", expected),
        ("VV00000002", None),
        ("VV00000003", expected),  # stable across deliveries
    ]
    assert b"54123456789" not in settings.warehouse.read_bytes()
    columns = query(settings.warehouse, "select column_name from information_schema.columns")
    assert ("crime_reference",) not in columns


def test_comments_are_stored_only_redacted(settings: Settings) -> None:
    comment = 'PC Sarah Jones said "call 07700 900123", and she did.\nThanks, Sarah!'
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row(comment_police=comment, comment_services="")])
    ingest_landing(settings, RUN_DATE)
    assert query(settings.warehouse, "select comment_police, comment_services from marts.responses") == [
        ('PC [NAME] said "call [PHONE]", and she did.\nThanks, [NAME]!', None)
    ]
    raw = settings.warehouse.read_bytes()
    assert b"Sarah" not in raw and b"900123" not in raw


def test_warehouse_is_owner_only(settings: Settings) -> None:
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row()])
    ingest_landing(settings, RUN_DATE)
    assert stat.S_IMODE(settings.warehouse.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.warehouse.parent.stat().st_mode) == 0o700


def test_a_rejected_file_renamed_correctly_loads(settings: Settings) -> None:
    misnamed = write_csv(settings.landing / "victimvoice_2024-05_01.csv", [base_row()])
    assert [o.status for o in ingest_landing(settings, RUN_DATE)] == [Status.REJECTED]
    misnamed.rename(settings.landing / "VictimVoice_2024-05_01.csv")
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert (outcome.status, outcome.rows_loaded) == (Status.LOADED, 1)


def test_a_truncated_upload_does_not_load_blank_answers(settings: Settings) -> None:
    path = write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row(), base_row(response_id="VV00000002")])
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b"ONGOING") + 7])  # the last record cut after case_outcome
    [outcome] = ingest_landing(settings, RUN_DATE)
    assert (outcome.rows_loaded, outcome.rows_quarantined) == (1, 1)
    assert query(settings.warehouse, "select check_name, reason from audit.quarantine") == [
        ("row_shape", "the row has fewer cells than the header (cut short, or a line break out of place?)")
    ]
