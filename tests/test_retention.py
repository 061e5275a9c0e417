"""victim-voice purge: processed files and old quarantine details go; the purge is recorded."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from tests.conftest import RUN_DATE, base_row, write_csv
from victim_voice import cli
from victim_voice.ingestion.run import ingest_landing
from victim_voice.settings import Settings
from warehouse import storage
from warehouse.db import open_writer


def age_deliveries(settings: Settings, days: int) -> None:
    with open_writer(settings.warehouse) as con:
        con.execute("update audit.deliveries set processed_at = ?", [datetime.now() - timedelta(days=days)])


def test_purge_removes_processed_files_and_old_quarantine_details(settings: Settings, capsys) -> None:
    write_csv(
        settings.landing / "VictimVoice_2024-04_01.csv", [base_row(), base_row(response_id="VV00000002", mode="")]
    )
    ingest_landing(settings, RUN_DATE)
    age_deliveries(settings, 100)
    waiting = write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row(response_id="VV00000003")])
    args = ["purge", "--older-than", "90", "--landing", str(settings.landing), "--warehouse", str(settings.warehouse)]

    assert cli.main([*args, "--dry-run"]) == 0
    assert "Would remove 1 delivery file(s)" in capsys.readouterr().out
    assert (settings.landing / "VictimVoice_2024-04_01.csv").exists()

    assert cli.main(args) == 0
    assert "Removed 1 delivery file(s)" in capsys.readouterr().out
    assert sorted(p.name for p in settings.landing.iterdir()) == [waiting.name]  # not yet processed: kept
    with open_writer(settings.warehouse) as con:
        assert con.sql("select count(*) from audit.quarantine").fetchall() == [(0,)]
        assert con.sql("select rows_quarantined from audit.deliveries").fetchall() == [(1,)]  # counts stay
        assert con.sql(
            "select older_than_days, files_removed, quarantine_rows_removed from audit.purges"
        ).fetchall() == [(90, 1, 1)]
        assert con.sql("select count(*) from marts.responses").fetchall() == [(1,)]  # loaded data untouched


def test_recent_deliveries_are_kept(settings: Settings, capsys) -> None:
    write_csv(settings.landing / "VictimVoice_2024-04_01.csv", [base_row()])
    ingest_landing(settings, RUN_DATE)
    args = ["purge", "--older-than", "30", "--landing", str(settings.landing), "--warehouse", str(settings.warehouse)]
    assert cli.main(args) == 0
    assert (settings.landing / "VictimVoice_2024-04_01.csv").exists()


def test_purge_only_removes_loaded_deliveries(settings: Settings, tmp_path: Path) -> None:
    write_csv(settings.landing / "VictimVoice_2024-04_01.csv", [base_row()])
    (settings.landing / "pseudonym.key").write_text("k" * 64)  # a misnamed file: rejected, never purged
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row(response_id="VV00000002")])
    (settings.landing / "VictimVoice_2024-05_01.csv").write_bytes(b"")  # rejected (empty): kept for the supplier
    ingest_landing(settings, RUN_DATE)
    age_deliveries(settings, 100)
    elsewhere = tmp_path / "linked.csv"
    elsewhere.write_text("not ours")
    (settings.landing / "VictimVoice_2024-06_01.csv").symlink_to(elsewhere)
    args = ["purge", "--older-than", "0", "--landing", str(settings.landing), "--warehouse", str(settings.warehouse)]
    assert cli.main(args) == 0
    assert sorted(p.name for p in settings.landing.iterdir()) == [
        "VictimVoice_2024-05_01.csv",
        "VictimVoice_2024-06_01.csv",
        "pseudonym.key",
    ]
    assert elsewhere.exists()


def test_a_link_or_folder_in_place_of_a_loaded_file_is_kept(settings: Settings, tmp_path: Path) -> None:
    loaded = write_csv(settings.landing / "VictimVoice_2024-04_01.csv", [base_row()])
    other = write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row(response_id="VV00000002")])
    ingest_landing(settings, RUN_DATE)
    age_deliveries(settings, 100)
    loaded.rename(tmp_path / "moved.csv")
    loaded.symlink_to(tmp_path / "moved.csv")  # the same bytes behind a link: never followed, never removed
    other.unlink()
    other.mkdir()
    args = ["purge", "--older-than", "0", "--landing", str(settings.landing), "--warehouse", str(settings.warehouse)]
    assert cli.main(args) == 0
    assert loaded.is_symlink() and other.is_dir() and (tmp_path / "moved.csv").exists()


def test_a_purge_that_cannot_be_recorded_removes_nothing(settings: Settings, monkeypatch, capsys) -> None:
    loaded = write_csv(settings.landing / "VictimVoice_2024-04_01.csv", [base_row()])
    ingest_landing(settings, RUN_DATE)
    age_deliveries(settings, 100)

    def disk_full(*args: object) -> None:
        raise duckdb.IOException(f'IO Error: Could not write file "{settings.warehouse}.wal": No space left on device')

    monkeypatch.setattr(storage, "record_purge", disk_full)
    args = ["purge", "--older-than", "0", "--landing", str(settings.landing), "--warehouse", str(settings.warehouse)]
    assert cli.main(args) == 5
    assert "the disk is full" in capsys.readouterr().err
    assert loaded.exists()


def test_an_absurd_retention_is_a_usage_error(settings: Settings, capsys) -> None:
    write_csv(settings.landing / "VictimVoice_2024-04_01.csv", [base_row()])
    ingest_landing(settings, RUN_DATE)
    args = ["purge", "--older-than", "1000000", "--warehouse", str(settings.warehouse)]
    assert cli.main(args) == 2
    assert "--older-than must be from 0 to 36500 days" in capsys.readouterr().err
