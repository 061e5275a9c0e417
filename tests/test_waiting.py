"""Waiting for the warehouse: an ingestion waits (bounded) for a reader or another writer,
writers take turns in order of arrival, and a wait that runs out ends in exit 3 with a
summary of what was done and what to do. Real second processes hold the locks."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import RUN_DATE, full_month, write_csv
from victim_voice import cli
from victim_voice.ingestion import run
from victim_voice.ingestion.result import IngestionResult
from victim_voice.ingestion.run import RunStopped, ingest_landing
from victim_voice.settings import Settings
from warehouse.db import WarehouseBusy, open_reader, open_writer


@pytest.fixture
def without_prefect(monkeypatch: pytest.MonkeyPatch) -> None:
    """The flow's steps, minus Prefect: a stopped run comes back as the flow returns it."""

    def run_flow(settings: Settings, run_date=None) -> IngestionResult:
        try:
            return IngestionResult(tuple(ingest_landing(settings, RUN_DATE)))
        except RunStopped as stopped:
            return IngestionResult(tuple(stopped.outcomes), stopped=stopped.holder, left=tuple(stopped.left))

    monkeypatch.setattr(cli, "run_ingestion_flow", run_flow)


def ingest_args(settings: Settings) -> list[str]:
    return ["ingest", "--landing", str(settings.landing), "--warehouse", str(settings.warehouse)]


@contextmanager
def held(code: str) -> Iterator[subprocess.Popen]:
    """A second process running ``code`` (which prints "ok" once it holds what it holds)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import sys; sys.path[:0] = {sys.path!r}\n{code}"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def duckdb_held(warehouse: Path, seconds: float, read_only: bool) -> str:
    return (
        f"import duckdb, time; c = duckdb.connect({str(warehouse)!r}, read_only={read_only}); print('ok', flush=True)\n"
        f"time.sleep({seconds}); c.close(); time.sleep(60)"
    )


def loaded_files(warehouse: Path) -> list[tuple]:
    with open_reader(warehouse) as con:
        return con.execute("select file_name, status from audit.deliveries order by delivery_id").fetchall()


def months_in_marts(warehouse: Path) -> list[tuple]:
    with open_reader(warehouse) as con:
        return con.execute("select period from marts.quota_compliance where quota = 'total' order by 1").fetchall()


def test_an_ingestion_waits_for_a_reader_then_loads(settings: Settings, without_prefect, monkeypatch, capsys) -> None:
    write_csv(settings.landing / "VictimVoice_2024-04_01.csv", full_month("2024-04"))
    ingest_landing(settings, RUN_DATE)
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    monkeypatch.setenv("VICTIM_VOICE_WAIT_SECONDS", "60")
    with held(duckdb_held(settings.warehouse, seconds=1.5, read_only=True)) as reader:
        started = time.monotonic()
        assert cli.main(ingest_args(settings)) == 0
        assert time.monotonic() - started >= 1  # it waited for the reader ...
    out, err = capsys.readouterr()
    assert f"the warehouse is in use by another process (python3.11, PID {reader.pid}); waiting up to 60 s" in err
    assert "VictimVoice_2024-05_01.csv  LOADED" in out  # ... then loaded
    assert months_in_marts(settings.warehouse) == [("2024-04",), ("2024-05",)]


def test_a_wait_that_runs_out_exits_3_saying_nothing_was_loaded(
    settings: Settings, without_prefect, monkeypatch, capsys
) -> None:
    write_csv(settings.landing / "VictimVoice_2024-04_01.csv", full_month("2024-04"))
    ingest_landing(settings, RUN_DATE)
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    monkeypatch.setenv("VICTIM_VOICE_WAIT_SECONDS", "1")
    with held(duckdb_held(settings.warehouse, seconds=60, read_only=False)) as writer:
        assert cli.main(ingest_args(settings)) == 3
    out = capsys.readouterr().out
    assert out.startswith(
        f"Nothing was loaded: the warehouse {settings.warehouse} was in use by another process "
        f"(python3.11, PID {writer.pid}) for the whole wait of 1 s (VICTIM_VOICE_WAIT_SECONDS)."
    )
    assert f"every file in {settings.landing} is left for the next run" in out
    assert "What to do: run `victim-voice ingest` again once that process has finished" in out
    assert loaded_files(settings.warehouse) == [("VictimVoice_2024-04_01.csv", "LOADED")]


def test_a_run_stopped_part_way_says_what_it_did_and_left(
    settings: Settings, without_prefect, monkeypatch, capsys
) -> None:
    """The wait runs out before the second new file: the first stays loaded, the second is left,
    and readers keep seeing the previous refresh until a later run completes."""
    write_csv(settings.landing / "VictimVoice_2024-04_01.csv", full_month("2024-04"))
    ingest_landing(settings, RUN_DATE)
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    write_csv(settings.landing / "VictimVoice_2024-06_01.csv", full_month("2024-06"))
    opened = []

    def busy_on_the_second_file(*args, **kwargs):
        opened.append(1)
        if len(opened) == 4:  # the check, the April file (seen before), May, then June
            raise WarehouseBusy("the warehouse is in use by another process", "python3.11, PID 4242")
        return open_writer(*args, **kwargs)

    monkeypatch.setattr(run, "open_writer", busy_on_the_second_file)
    assert cli.main(ingest_args(settings)) == 3
    out = capsys.readouterr().out
    assert "VictimVoice_2024-05_01.csv  LOADED" in out
    assert "Stopped: the warehouse was in use by another process (python3.11, PID 4242) for longer than" in out
    assert "not processed, left for the next run: VictimVoice_2024-06_01.csv." in out
    assert "The figures were not refreshed" in out
    assert months_in_marts(settings.warehouse) == [("2024-04",)]  # the previous refresh, whole

    monkeypatch.undo()
    monkeypatch.setenv("VICTIM_VOICE_PSEUDONYM_KEY", "test-pseudonym-key-0123456789abcdef")
    monkeypatch.setenv("VICTIM_VOICE_SETTLE_SECONDS", "0")
    assert [o.file_name for o in ingest_landing(settings, RUN_DATE)] == ["VictimVoice_2024-06_01.csv"]
    assert months_in_marts(settings.warehouse) == [("2024-04",), ("2024-05",), ("2024-06",)]


def test_metrics_in_a_loop_does_not_starve_an_ingestion(settings: Settings) -> None:
    """A process refreshing back to back, never pausing: the ingestion queues once and gets
    the next turn, then holds it until its run is done."""
    write_csv(settings.landing / "VictimVoice_2024-04_01.csv", full_month("2024-04"))
    ingest_landing(settings, RUN_DATE)
    loop = f"""
from pathlib import Path
from victim_voice.settings import Settings
from warehouse.models import refresh_metrics
settings = Settings(warehouse=Path({str(settings.warehouse)!r}), wait_seconds=60)
for count in range(100_000):
    refresh_metrics(settings)
    if count == 1:
        print("ok", flush=True)
"""
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    with held(loop):
        started = time.monotonic()
        [outcome] = ingest_landing(Settings(**{**vars(settings), "wait_seconds": 20}), RUN_DATE)
        took = time.monotonic() - started
    assert outcome.file_name == "VictimVoice_2024-05_01.csv"
    assert took < 10  # one refresh's wait, not the whole 20 s (nor starved: RunStopped)
    assert months_in_marts(settings.warehouse) == [("2024-04",), ("2024-05",)]


def test_readers_wait_for_a_writer_that_finishes(settings: Settings) -> None:
    write_csv(settings.landing / "VictimVoice_2024-04_01.csv", full_month("2024-04"))
    ingest_landing(settings, RUN_DATE)
    with held(duckdb_held(settings.warehouse, seconds=1, read_only=False)), open_reader(settings.warehouse, 30) as con:
        assert con.execute("select count(*) from marts.responses").fetchall() == [(170,)]


def test_the_wait_is_a_setting() -> None:
    assert Settings.from_env({}).wait_seconds == 300
    assert Settings.from_env({"VICTIM_VOICE_WAIT_SECONDS": "45"}).wait_seconds == 45
    with pytest.raises(Exception, match="VICTIM_VOICE_WAIT_SECONDS must be a number of seconds"):
        Settings.from_env({"VICTIM_VOICE_WAIT_SECONDS": "soon"})
