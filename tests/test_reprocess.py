"""victim-voice reprocess: rows quarantined only by the run's date are loaded later, once, and
supersede as their file's rows would have; anything else is refused."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from tests.conftest import RUN_DATE, base_row, write_csv
from victim_voice import cli
from victim_voice.ingestion.run import ingest_landing
from victim_voice.settings import Settings
from warehouse.db import open_writer


def reprocess_args(settings: Settings, file: str | Path) -> list[str]:
    return ["reprocess", str(file), "--landing", str(settings.landing), "--warehouse", str(settings.warehouse)]


def query(settings: Settings, sql: str) -> list[tuple]:
    with open_writer(settings.warehouse) as con:
        return con.sql(sql).fetchall()


def june_with_rows_dated_after_its_run(settings: Settings) -> Path:
    """May loads VV2 and VV5; June's file, read on 30 June, has them dated in July (quarantined
    for the run's date) and VV3 without a mode (quarantined for good); July corrects VV5."""
    write_csv(
        settings.landing / "VictimVoice_2024-05_01.csv",
        [base_row(response_id="VV00000002", sat_overall="7"), base_row(response_id="VV00000005", sat_overall="6")],
    )
    june = write_csv(
        settings.landing / "VictimVoice_2024-06_01.csv",
        [
            base_row(response_id="VV00000001", interview_date="2024-06-10"),
            base_row(response_id="VV00000002", interview_date="2024-07-02", sat_overall="2"),
            base_row(response_id="VV00000003", mode=""),
            base_row(response_id="VV00000005", interview_date="2024-07-03", sat_overall="1"),
        ],
    )
    ingest_landing(settings, RUN_DATE)
    write_csv(
        settings.landing / "VictimVoice_2024-07_01.csv",
        [base_row(response_id="VV00000005", interview_date="2024-07-20", sat_overall="4")],
    )
    ingest_landing(settings, date(2024, 8, 5))
    return june


def test_rows_quarantined_for_the_run_date_are_loaded_once_and_supersede(settings: Settings, capsys) -> None:
    june = june_with_rows_dated_after_its_run(settings)
    assert query(settings, "select count(*) from audit.quarantine where check_name = 'date_in_window'") == [(2,)]
    versions_before = query(settings, "select * from core.response_versions order by all")

    assert cli.main(reprocess_args(settings, june.name)) == 0
    out = capsys.readouterr().out
    assert "VictimVoice_2024-06_01.csv  LOADED  3     2       1            2" in out
    assert "Recorded as delivery 4, a reprocessing of delivery 2" in out

    assert query(
        settings,
        "select delivery_id, file_name, period, seq, status, rows_in_file, rows_loaded, rows_quarantined,"
        " rows_corrected, reprocessing_of from audit.deliveries order by delivery_id",
    ) == [
        (1, "VictimVoice_2024-05_01.csv", "2024-05", 1, "LOADED", 2, 2, 0, 0, None),
        (2, "VictimVoice_2024-06_01.csv", "2024-06", 1, "LOADED", 4, 1, 3, 0, None),
        (3, "VictimVoice_2024-07_01.csv", "2024-07", 1, "LOADED", 1, 1, 0, 1, None),
        (4, "VictimVoice_2024-06_01.csv", "2024-06", 1, "LOADED", 3, 2, 1, 2, 2),
    ]
    # June's VV2 supersedes May's, as a June correction does; July's VV5 still supersedes June's
    assert query(settings, "select response_id, sat_overall, source_delivery_id from marts.responses order by 1") == [
        ("VV00000001", 6, 2),
        ("VV00000002", 2, 4),
        ("VV00000005", 4, 3),
    ]
    new_versions = query(
        settings, "select delivery_id, row_number, response_id from core.response_versions order by all"
    )
    assert len(new_versions) == len(versions_before) + 2
    assert [v for v in new_versions if v[0] == 4] == [(4, 2, "VV00000002"), (4, 4, "VV00000005")]
    # the row that still fails is quarantined again, with today's reasons; the earlier details stay
    assert query(
        settings, "select distinct delivery_id, row_number, check_name from audit.quarantine order by all"
    ) == [
        (2, 2, "date_in_window"),
        (2, 3, "required"),
        (2, 4, "date_in_window"),
        (4, 3, "required"),
    ]

    assert cli.main(reprocess_args(settings, june.name)) == 0  # again: nothing is loaded twice
    assert "Nothing to load: none of the 1 row(s)" in capsys.readouterr().out
    assert query(settings, "select count(*) from audit.deliveries") == [(4,)]
    assert ingest_landing(settings, date.today()) == []  # ingest still knows the file


def test_a_file_never_processed_is_refused(settings: Settings, capsys) -> None:
    june = june_with_rows_dated_after_its_run(settings)
    write_csv(settings.landing / "VictimVoice_2024-08_01.csv", [base_row(interview_date="2024-08-01")])
    assert cli.main(reprocess_args(settings, "VictimVoice_2024-08_01.csv")) == 2
    assert "was never processed: `victim-voice ingest` loads it" in capsys.readouterr().err

    write_csv(june, [base_row(response_id="VV00000009")])  # new bytes under a processed name
    assert cli.main(reprocess_args(settings, june.name)) == 2
    assert "VictimVoice_2024-06_01.csv (these bytes) was never processed" in capsys.readouterr().err
    assert query(settings, "select count(*) from audit.deliveries") == [(3,)]


def test_a_file_not_in_the_landing_folder_is_refused(settings: Settings, tmp_path: Path, capsys) -> None:
    june = june_with_rows_dated_after_its_run(settings)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    copy = shutil.copy(june, elsewhere / june.name)
    assert cli.main(reprocess_args(settings, copy)) == 2
    assert f"{copy} is not in the landing folder" in capsys.readouterr().err
    june.unlink()  # purged
    assert cli.main(reprocess_args(settings, june.name)) == 2
    assert "there is no delivery file VictimVoice_2024-06_01.csv in the landing folder" in capsys.readouterr().err
    assert query(settings, "select count(*) from audit.deliveries") == [(3,)]


def test_a_rejected_or_duplicate_file_is_refused(settings: Settings, capsys) -> None:
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row()])
    (settings.landing / "VictimVoice_2024-05_02.csv").write_bytes(b"")
    shutil.copy(settings.landing / "VictimVoice_2024-05_01.csv", settings.landing / "VictimVoice_2024-05_03.csv")
    ingest_landing(settings, RUN_DATE)
    assert cli.main(reprocess_args(settings, "VictimVoice_2024-05_02.csv")) == 2
    assert "VictimVoice_2024-05_02.csv was REJECTED, not loaded" in capsys.readouterr().err
    assert cli.main(reprocess_args(settings, "VictimVoice_2024-05_03.csv")) == 2
    assert "was DUPLICATE, not loaded (byte-identical to VictimVoice_2024-05_01.csv" in capsys.readouterr().err
    assert cli.main(reprocess_args(settings, "notes.txt")) == 2  # not there at all
