"""victim-voice purge: processed files and old quarantine details go, recorded first, and only
files whose deliveries a verified backup holds."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from tests.conftest import RUN_DATE, base_row, write_csv
from victim_voice import cli
from victim_voice.ingestion import retention
from victim_voice.ingestion.run import ingest_landing
from victim_voice.settings import Settings
from warehouse import storage
from warehouse.backup import backup_warehouse
from warehouse.db import open_writer


def age_deliveries(settings: Settings, days: int) -> None:
    with open_writer(settings.warehouse) as con:
        con.execute("update audit.deliveries set processed_at = ?", [datetime.now() - timedelta(days=days)])


def back_up(settings: Settings) -> None:
    backup_warehouse(settings.warehouse, settings.warehouse.parent.parent / "backups")


def test_purge_removes_processed_files_and_old_quarantine_details(settings: Settings, capsys) -> None:
    write_csv(
        settings.landing / "VictimVoice_2024-04_01.csv", [base_row(), base_row(response_id="VV00000002", mode="")]
    )
    ingest_landing(settings, RUN_DATE)
    age_deliveries(settings, 100)
    back_up(settings)
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
    assert cli.main([*purge_args(settings, days=0), "--without-backup"]) == 0
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


def test_an_absurd_retention_is_a_usage_error(settings: Settings, capsys) -> None:
    write_csv(settings.landing / "VictimVoice_2024-04_01.csv", [base_row()])
    ingest_landing(settings, RUN_DATE)
    args = ["purge", "--older-than", "1000000", "--warehouse", str(settings.warehouse)]
    assert cli.main(args) == 2
    assert "--older-than must be from 0 to 36500 days" in capsys.readouterr().err


def purge_args(settings: Settings, days: int = 90) -> list[str]:
    return [
        "purge",
        "--older-than",
        str(days),
        "--landing",
        str(settings.landing),
        "--warehouse",
        str(settings.warehouse),
    ]


def two_old_deliveries(settings: Settings) -> list[Path]:
    paths = [
        write_csv(
            settings.landing / "VictimVoice_2024-04_01.csv", [base_row(), base_row(response_id="VV00000002", mode="")]
        ),
        write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row(response_id="VV00000003")]),
    ]
    ingest_landing(settings, RUN_DATE)
    age_deliveries(settings, 100)
    back_up(settings)
    return paths


def purge_records(settings: Settings) -> tuple[list[tuple], list[tuple]]:
    with open_writer(settings.warehouse) as con:
        purges = con.sql("select purge_id, status, files_to_remove, files_removed from audit.purges").fetchall()
        files = con.sql("select file_name, status, error from audit.purged_files order by file_name").fetchall()
    return purges, files


def test_a_purge_that_cannot_be_recorded_removes_nothing(settings: Settings, monkeypatch, capsys) -> None:
    paths = two_old_deliveries(settings)

    def disk_full(*args) -> None:
        raise duckdb.IOException("No space left on device")

    monkeypatch.setattr(storage, "record_purge_plan", disk_full)
    assert cli.main(purge_args(settings)) == 5
    err = capsys.readouterr().err
    assert "the purge could not be recorded" in err and "nothing was removed" in err
    assert all(p.exists() for p in paths)
    assert purge_records(settings) == ([], [])
    with open_writer(settings.warehouse) as con:  # the quarantine details are deleted with the record, or not at all
        assert con.sql("select count(*) from audit.quarantine").fetchall() == [(1,)]


def test_the_record_is_committed_before_any_file_goes(settings: Settings, monkeypatch) -> None:
    paths = two_old_deliveries(settings)
    seen = []

    def remove_file(path: Path) -> None:
        seen.append(purge_records(settings))  # what another process would read at this moment
        path.unlink()

    monkeypatch.setattr(retention, "remove_file", remove_file)
    assert cli.main(purge_args(settings)) == 0
    assert seen[0] == (
        [(1, "RECORDED", 2, 0)],
        [("VictimVoice_2024-04_01.csv", "PENDING", None), ("VictimVoice_2024-05_01.csv", "PENDING", None)],
    )
    assert not any(p.exists() for p in paths)
    assert purge_records(settings) == (
        [(1, "DONE", 2, 2)],
        [("VictimVoice_2024-04_01.csv", "REMOVED", None), ("VictimVoice_2024-05_01.csv", "REMOVED", None)],
    )


def test_a_removal_that_fails_is_recorded_and_the_next_purge_finishes_it(
    settings: Settings, monkeypatch, capsys
) -> None:
    paths = two_old_deliveries(settings)

    def read_only(path: Path) -> None:
        if path.name == "VictimVoice_2024-04_01.csv":
            raise PermissionError(13, "Permission denied", str(path))
        path.unlink()

    monkeypatch.setattr(retention, "remove_file", read_only)
    assert cli.main(purge_args(settings)) == 5
    err = capsys.readouterr().err
    assert "1 of 2 file(s) recorded for removal could not be removed" in err
    assert "VictimVoice_2024-04_01.csv: Permission denied" in err and "run `victim-voice purge` again" in err
    assert [p.exists() for p in paths] == [True, False]
    assert purge_records(settings) == (
        [(1, "INCOMPLETE", 2, 1)],
        [
            ("VictimVoice_2024-04_01.csv", "FAILED", "Permission denied"),
            ("VictimVoice_2024-05_01.csv", "REMOVED", None),
        ],
    )

    monkeypatch.undo()
    assert cli.main(purge_args(settings)) == 0
    assert "Finished 1 removal(s) an earlier purge recorded" in capsys.readouterr().out
    assert not any(p.exists() for p in paths)
    purges, files = purge_records(settings)
    assert purges == [(1, "DONE", 2, 2), (2, "DONE", 0, 0)]
    assert [status for _, status, _ in files] == ["REMOVED", "REMOVED"]


def test_a_crash_after_the_record_leaves_it_pending_and_a_rerun_finishes(settings: Settings, monkeypatch) -> None:
    paths = two_old_deliveries(settings)

    def crash(path: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(retention, "remove_file", crash)
    assert cli.main(purge_args(settings)) == 130
    assert all(p.exists() for p in paths)
    assert purge_records(settings)[0] == [(1, "RECORDED", 2, 0)]

    monkeypatch.undo()
    paths[1].write_text("a new delivery under the same name")  # changed since recorded: kept
    assert cli.main(purge_args(settings)) == 0
    assert [p.exists() for p in paths] == [False, True]
    purges, files = purge_records(settings)
    assert purges[0] == (1, "DONE", 2, 1)
    assert files == [
        ("VictimVoice_2024-04_01.csv", "REMOVED", None),
        ("VictimVoice_2024-05_01.csv", "KEPT", "the file changed after the purge recorded it"),
    ]


def test_purge_removes_only_files_a_verified_backup_holds(settings: Settings, capsys) -> None:
    first = write_csv(settings.landing / "VictimVoice_2024-04_01.csv", [base_row()])
    ingest_landing(settings, RUN_DATE)
    age_deliveries(settings, 100)
    with open_writer(settings.warehouse) as con:  # a backup that failed its check does not count
        con.execute("insert into audit.backups values (1, now(), '/gone', 1, false, null, null, null, null, 'failed')")

    for args in ([*purge_args(settings), "--dry-run"], purge_args(settings)):
        assert cli.main(args) == 2
        err = capsys.readouterr().err
        assert "1 of 1 delivery file(s) past retention are in no verified backup: there is no verified backup" in err
        assert "Nothing was removed. Run `victim-voice backup --out DIR` first, or add --without-backup" in err
    assert first.exists() and purge_records(settings) == ([], [])

    back_up(settings)
    second = write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row(response_id="VV00000002")])
    ingest_landing(settings, RUN_DATE)  # processed after the backup
    age_deliveries(settings, 100)
    assert cli.main(purge_args(settings)) == 2
    assert "1 of 2 delivery file(s) past retention are in no verified backup: the latest verified backup (2, " in (
        capsys.readouterr().err
    )
    assert first.exists() and second.exists()

    assert cli.main([*purge_args(settings), "--without-backup"]) == 0
    assert not first.exists() and not second.exists()
    with open_writer(settings.warehouse) as con:
        assert con.sql("select without_backup, files_removed from audit.purges").fetchall() == [(True, 2)]
