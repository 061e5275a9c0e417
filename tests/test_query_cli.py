"""`victim-voice query`, `tables` and `metrics`: read-only, clear messages, no Prefect."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.given import build_warehouse
from victim_voice import cli
from warehouse.catalogue import LABEL_TABLES, public_objects


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return build_warehouse(tmp_path / "w.duckdb", [[{"sat_overall": 6}] * 3 + [{"sat_overall": 1}]])


def test_query_prints_a_table(warehouse: Path, capsys) -> None:
    sql = (
        "select metric, numerator, denominator from marts.metric_values"
        " where metric = 'sat_overall' and breakdown = 'all'"
    )
    assert cli.main(["query", sql, "--warehouse", str(warehouse)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "metric       numerator  denominator",
        "-----------  ---------  -----------",
        "sat_overall  3          4",
        "(1 row)",
    ]


def test_query_as_csv_and_json(warehouse: Path, capsys) -> None:
    sql = "select response_id, interview_date from marts.responses order by 1 limit 2"
    assert cli.main(["query", sql, "--warehouse", str(warehouse), "--csv"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "response_id,interview_date",
        "VV00000001,2024-01-15",
        "VV00000002,2024-01-15",
    ]
    assert cli.main(["query", sql, "--warehouse", str(warehouse), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0] == {"response_id": "VV00000001", "interview_date": "2024-01-15"}


def test_query_connection_is_read_only(warehouse: Path, capsys) -> None:
    assert cli.main(["query", "delete from audit.deliveries", "--warehouse", str(warehouse)]) == 2
    assert "read-only" in capsys.readouterr().err
    assert cli.main(["query", "select count(*) from audit.deliveries", "--warehouse", str(warehouse), "--csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "1"


def test_a_bad_query_is_a_clean_error(warehouse: Path, capsys) -> None:
    assert cli.main(["query", "select nope from marts.metric_values", "--warehouse", str(warehouse)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("victim-voice: error: the query failed:") and "Traceback" not in err


def test_a_missing_warehouse_is_a_clean_error(tmp_path: Path, capsys) -> None:
    assert cli.main(["query", "select 1", "--warehouse", str(tmp_path / "none.duckdb")]) == 2
    assert "no warehouse at" in capsys.readouterr().err


def test_a_reader_during_an_ingestion_gets_a_message(warehouse: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("VICTIM_VOICE_WAIT_SECONDS", "1")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(warehouse)!r}); print('ok', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        assert cli.main(["query", "select 1", "--warehouse", str(warehouse)]) == 3
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err
    assert f"is being written by an ingestion run (python{sys.version_info.major}" in err
    assert "waited 1 s: try again when it finishes" in err


def test_a_second_process_can_read_while_no_ingestion_runs(warehouse: Path) -> None:
    reader = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import duckdb; print(duckdb.connect({str(warehouse)!r}, read_only=True)"
            ".sql('select count(*) from marts.metric_values').fetchall())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert reader.stdout.strip().startswith("[(")


def test_tables_lists_every_public_object(capsys) -> None:
    assert cli.main(["tables"]) == 0
    out = capsys.readouterr().out
    for obj in [*public_objects(), *LABEL_TABLES]:
        assert f"{obj.name}\n    grain: {obj.grain}" in out


def test_commands_that_run_no_flow_do_not_import_prefect(warehouse: Path) -> None:
    code = (
        "import sys; from victim_voice.cli import main; "
        f"main(['query', 'select 1', '--warehouse', {str(warehouse)!r}]); main(['tables']); "
        "assert 'prefect' not in sys.modules, 'prefect imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_metrics_rebuilds_on_demand(warehouse: Path, capsys) -> None:
    assert cli.main(["metrics", "--warehouse", str(warehouse)]) == 0
    assert "Rebuilt" in capsys.readouterr().out


def test_metrics_without_a_warehouse_is_a_clean_error(tmp_path: Path, capsys) -> None:
    assert cli.main(["metrics", "--warehouse", str(tmp_path / "none.duckdb")]) == 2
    assert "no warehouse at" in capsys.readouterr().err


@pytest.mark.parametrize(
    "sql",
    [
        "select content from read_text('/etc/hostname')",
        "select * from read_csv('/etc/passwd')",
        "copy (select 1) to '/tmp/victim-voice-exfiltration.csv'",
        "set enable_external_access = true",
    ],
)
def test_query_cannot_reach_files_outside_the_warehouse(warehouse: Path, sql: str, capsys) -> None:
    """Read-only is not enough: the landing folder and the key file must stay out of reach."""
    assert cli.main(["query", sql, "--warehouse", str(warehouse)]) == 2
    assert "the query failed" in capsys.readouterr().err
    assert not Path("/tmp/victim-voice-exfiltration.csv").exists()


def test_a_reader_that_stops_early_gets_no_traceback(warehouse: Path) -> None:
    """`victim-voice query ... | head -1`: the closed pipe ends the command quietly (exit 0)."""
    command = [sys.executable, "-m", "victim_voice.cli", "query", "select * from range(200000)"]
    done = subprocess.run(
        f"{' '.join(repr(c) if ' ' in c else c for c in command)} --warehouse {warehouse} | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout == "range\n"
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
