"""The command line: summaries, exit codes and clean messages (no tracebacks for user mistakes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RUN_DATE, base_row, full_month, write_csv
from victim_voice import cli
from victim_voice.ingestion.result import IngestionResult
from victim_voice.ingestion.run import ingest_landing
from victim_voice.outputs.alerts import find_alerts
from victim_voice.outputs.formatting import text_table
from victim_voice.settings import Settings


@pytest.fixture
def without_prefect(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the same steps as the flow, minus Prefect (the flow itself has its own test)."""

    def run(settings: Settings, run_date=None) -> IngestionResult:
        outcomes = ingest_landing(settings, RUN_DATE)
        return IngestionResult(tuple(outcomes), tuple(find_alerts(outcomes, settings, RUN_DATE)))

    monkeypatch.setattr(cli, "run_ingestion_flow", run)


def ingest_args(settings: Settings) -> list[str]:
    return ["ingest", "--landing", str(settings.landing), "--warehouse", str(settings.warehouse)]


def test_ingest_prints_a_summary_and_exits_0(settings: Settings, without_prefect, capsys) -> None:
    rows = full_month("2024-05", rows=171)
    rows[-1]["mode"] = ""
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", rows)
    assert cli.main(ingest_args(settings)) == 0
    out = capsys.readouterr().out
    assert "VictimVoice_2024-05_01.csv  LOADED  171   170     1            0" in out
    assert f"Warehouse: {settings.warehouse}" in out
    assert "Needs attention" not in out


def test_alerts_are_printed_and_exit_4(settings: Settings, without_prefect, capsys) -> None:
    write_csv(
        settings.landing / "VictimVoice_2024-05_01.csv", [base_row(), base_row(response_id="VV00000002", mode="")]
    )
    assert cli.main(ingest_args(settings)) == 4
    out = capsys.readouterr().out
    assert "VictimVoice_2024-05_01.csv  LOADED  2     1       1            0" in out
    assert "Needs attention:" in out
    assert "QUARANTINE_SHARE  VictimVoice_2024-05_01.csv  1 of 2 rows quarantined (50.0%, alert above 5%)" in out
    assert "QUOTA_SHORTFALL   2024-05                     total: 1 delivered, quota 170" in out


def test_a_rejected_file_exits_1(settings: Settings, without_prefect, capsys) -> None:
    (settings.landing / "notes.txt").write_text("hello")
    assert cli.main(ingest_args(settings)) == 1
    assert "REJECTED" in capsys.readouterr().out


def test_nothing_new_exits_0(settings: Settings, without_prefect, capsys) -> None:
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    assert cli.main(ingest_args(settings)) == 0
    capsys.readouterr()
    assert cli.main(ingest_args(settings)) == 0
    assert "No new delivery files" in capsys.readouterr().out


def test_nothing_at_all_after_the_due_day_is_a_late_supplier(settings: Settings, without_prefect, capsys) -> None:
    assert cli.main(ingest_args(settings)) == 4
    out = capsys.readouterr().out
    assert "No new delivery files" in out and "SUPPLIER_LATE  2024-05" in out


def test_environment_gives_the_paths(settings: Settings, without_prefect, monkeypatch, capsys) -> None:
    monkeypatch.setenv("VICTIM_VOICE_LANDING", str(settings.landing))
    monkeypatch.setenv("VICTIM_VOICE_WAREHOUSE", str(settings.warehouse))
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    assert cli.main(["ingest"]) == 0
    assert settings.warehouse.exists()


def test_missing_landing_folder_is_a_configuration_error(tmp_path: Path, capsys) -> None:
    assert cli.main(["ingest", "--landing", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("victim-voice: error: the landing folder") and "Traceback" not in err


def test_a_weak_key_is_a_configuration_error(settings: Settings, monkeypatch, capsys) -> None:
    monkeypatch.setenv("VICTIM_VOICE_PSEUDONYM_KEY", "short")
    assert cli.main(ingest_args(settings)) == 2
    assert "too short" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["ingest", "--no-such-flag"])
    assert exit_info.value.code == 2


def test_demo_refuses_to_wipe_a_folder_it_did_not_make(tmp_path: Path, capsys) -> None:
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious" / "thesis.docx").write_text("keep me")
    assert cli.main(["demo", "--dir", str(tmp_path / "precious")]) == 2
    assert (tmp_path / "precious" / "thesis.docx").exists()
    assert "was not made by `victim-voice demo`" in capsys.readouterr().err


def test_text_table_aligns_columns() -> None:
    assert text_table(["a", "bb"], [[1, None], ["long", "x"]]).splitlines() == [
        "a     bb",
        "----  --",
        "1",
        "long  x",
    ]


def test_help_has_examples(capsys) -> None:
    with pytest.raises(SystemExit):
        cli.main(["ingest", "--help"])
    assert "Example: victim-voice ingest" in capsys.readouterr().out


@pytest.mark.parametrize("problem", ["a folder", "parent is a file"])  # not a database: test_faults.py
def test_a_bad_warehouse_path_is_a_configuration_error(
    settings: Settings, tmp_path: Path, problem: str, capsys
) -> None:
    if problem == "a folder":
        warehouse = tmp_path / "folder.duckdb"
        warehouse.mkdir()
    else:
        (tmp_path / "afile").write_text("x")
        warehouse = tmp_path / "afile" / "w.duckdb"
    args = ["ingest", "--landing", str(settings.landing), "--warehouse", str(warehouse)]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"victim-voice: error: cannot open the warehouse {warehouse}") and "Traceback" not in err


def test_a_landing_path_that_is_a_file_says_so(tmp_path: Path, capsys) -> None:
    (tmp_path / "landing.csv").write_text("x")
    assert cli.main(["ingest", "--landing", str(tmp_path / "landing.csv")]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_demo_checks_months_before_touching_its_folder(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / cli.DEMO_MARKER).write_text("")
    (folder / "previous.txt").write_text("kept")
    assert cli.main(["demo", "--dir", str(folder), "--months", "0"]) == 2
    assert (folder / "previous.txt").exists()
    assert "--months must be from 1 to" in capsys.readouterr().err


def test_demo_uses_its_own_throwaway_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    seen = {}

    def run(settings: Settings, run_date=None, key_file=None) -> IngestionResult:
        seen["key_file"] = key_file
        return IngestionResult(tuple(ingest_landing(settings.with_key_file(key_file), RUN_DATE)))

    monkeypatch.setattr(cli, "run_ingestion_flow", run)
    monkeypatch.setattr(cli, "demo_summary", lambda warehouse: "")
    assert cli.main(["demo", "--dir", str(tmp_path / "demo"), "--months", "1"]) in (0, 1)
    assert seen["key_file"] == tmp_path / "demo" / "demo-pseudonym.key"
    assert seen["key_file"].exists()
    assert not (tmp_path / "config" / "victim-voice" / "pseudonym.key").exists()  # the real key untouched


def test_no_key_is_a_configuration_error_and_creates_nothing(settings: Settings, monkeypatch, capsys) -> None:
    monkeypatch.delenv("VICTIM_VOICE_PSEUDONYM_KEY")
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row()])
    assert cli.main(ingest_args(settings)) == 2
    assert "victim-voice keygen" in capsys.readouterr().err
    assert not settings.warehouse.exists() and not settings.key_file.exists()


def test_the_summary_never_prints_a_misnamed_file_name(settings: Settings, without_prefect, capsys) -> None:
    write_csv(settings.landing / "Complaint from Sarah Jones 07700900123.csv", [base_row()])
    assert cli.main(ingest_args(settings)) == 1
    out = capsys.readouterr().out
    assert "Sarah" not in out and "07700" not in out and "(a misnamed file, name hash" in out


def test_serve_checks_the_setup_before_serving(tmp_path: Path, monkeypatch, capsys) -> None:
    import flows.serving

    monkeypatch.setattr(flows.serving, "serve", lambda *args: pytest.fail("served despite a bad setup"))
    assert cli.main(["serve", "--landing", str(tmp_path / "nope")]) == 2
    assert "the landing folder" in capsys.readouterr().err
    (tmp_path / "landing").mkdir()
    monkeypatch.delenv("VICTIM_VOICE_PSEUDONYM_KEY")
    assert cli.main(["serve", "--landing", str(tmp_path / "landing")]) == 2
    assert "victim-voice keygen" in capsys.readouterr().err
    monkeypatch.setenv("VICTIM_VOICE_PSEUDONYM_KEY", "serve-test-key-0123456789abcdef0123")
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(restore_defaults={PREFECT_API_URL}):  # whatever another test's harness set
        assert cli.main(["serve", "--landing", str(tmp_path / "landing")]) == 2  # no server: nothing would run
    assert "needs a running Prefect server" in capsys.readouterr().err
