"""Preparing a batch of files in worker processes loads exactly what one process loads."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import shutil
import signal
from pathlib import Path

import pytest

from tests.conftest import RUN_DATE, base_row, full_month, write_csv
from tests.test_loading import table_snapshot
from victim_voice.delivery.outcome import Status
from victim_voice.delivery.preparing import PreparedDelivery
from victim_voice.ingestion import parallel
from victim_voice.ingestion.parallel import PreparedAhead, new_files, prepared_ahead
from victim_voice.ingestion.run import ingest_landing
from victim_voice.settings import ConfigurationError, Settings, available_cpus
from warehouse.db import WarehouseBusy, open_writer


def write_batch(landing: Path) -> None:
    """A backfill's worth of cases: a clean month, a month with bad rows and a comment to
    redact, its correction, a byte-identical copy, a broken file and a misnamed one."""
    write_csv(landing / "VictimVoice_2024-04_01.csv", full_month("2024-04"))
    may = full_month("2024-05")
    may[3] = {**may[3], "mode": "FAX"}
    may[7] = {**may[7], "comment_police": "PC Sarah Jones rang me on 07700 900123, lovely."}
    write_csv(landing / "VictimVoice_2024-05_01.csv", may)
    write_csv(landing / "VictimVoice_2024-05_02.csv", [{**may[0], "sat_overall": "1"}])
    shutil.copy(landing / "VictimVoice_2024-04_01.csv", landing / "VictimVoice_2024-06_01.csv")
    (landing / "VictimVoice_2024-07_01.csv").write_bytes(b"\x00\x01 not a delivery")
    write_csv(landing / "victims july.csv", [base_row()])


def snapshot(settings: Settings) -> dict[str, list[tuple]]:
    with open_writer(settings.warehouse) as con:
        metrics = con.sql("select * from marts.metric_values order by all").fetchall()
    return {**table_snapshot(settings.warehouse), "metrics": metrics}


def test_a_batch_prepared_by_workers_loads_exactly_what_one_process_loads(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_batch(settings.landing)
    serial = dataclasses.replace(settings, warehouse=tmp_path / "serial.duckdb", workers=1)
    in_workers = dataclasses.replace(settings, warehouse=tmp_path / "parallel.duckdb", workers=2)
    serial_outcomes = ingest_landing(serial, RUN_DATE)

    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)  # these files are small: use the workers anyway
    from_workers = []
    take = PreparedAhead.take

    def counting_take(self: PreparedAhead, path: Path) -> object:
        prepared = take(self, path)
        if prepared is not None:
            from_workers.append((path.name, type(prepared).__name__))
        return prepared

    monkeypatch.setattr(PreparedAhead, "take", counting_take)
    parallel_outcomes = ingest_landing(in_workers, RUN_DATE)

    assert parallel_outcomes == serial_outcomes
    assert [o.status for o in parallel_outcomes] == [
        Status.LOADED,
        Status.LOADED,
        Status.LOADED,
        Status.DUPLICATE,
        Status.REJECTED,
        Status.REJECTED,
    ]
    assert snapshot(in_workers) == snapshot(serial)
    assert len(from_workers) == 6 and {kind for _, kind in from_workers} == {PreparedDelivery.__name__}
    redacted = snapshot(in_workers)["versions"]
    assert not any("Sarah" in str(cell) or "07700" in str(cell) for row in redacted for cell in row)


def test_files_processed_before_are_not_sent_to_workers(settings: Settings) -> None:
    write_csv(settings.landing / "VictimVoice_2024-04_01.csv", full_month("2024-04"))
    ingest_landing(settings, RUN_DATE)
    changed = write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    paths = sorted(settings.landing.iterdir())
    assert list(new_files(settings, paths, RUN_DATE)) == [changed]


def test_a_small_batch_or_one_worker_starts_no_process(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker process was started")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_pool)
    write_csv(settings.landing / "VictimVoice_2024-04_01.csv", full_month("2024-04"))
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    assert [o.status for o in ingest_landing(dataclasses.replace(settings, workers=8), RUN_DATE)] == [Status.LOADED] * 2
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    write_csv(settings.landing / "VictimVoice_2024-06_01.csv", full_month("2024-06"))
    write_csv(settings.landing / "VictimVoice_2024-07_01.csv", full_month("2024-07"))
    assert [o.status for o in ingest_landing(dataclasses.replace(settings, workers=1), RUN_DATE)] == [Status.LOADED] * 2


@pytest.mark.parametrize("text", ["0", "65", "-1", "two", "1.5", "²", ""])
def test_workers_must_be_a_sensible_whole_number(text: str) -> None:
    if text == "":
        assert Settings.from_env({"VICTIM_VOICE_WORKERS": text}).workers == available_cpus()
        return
    with pytest.raises(ConfigurationError, match="VICTIM_VOICE_WORKERS must be a whole number of processes"):
        Settings.from_env({"VICTIM_VOICE_WORKERS": text})


def test_workers_default_to_the_cpus_this_process_may_use() -> None:
    assert Settings.from_env({}).workers == available_cpus() >= 1
    assert Settings.from_env({"VICTIM_VOICE_WORKERS": " 3 "}).workers == 3


def months(landing: Path, *periods: str) -> list[Path]:
    return [write_csv(landing / f"VictimVoice_{period}_01.csv", full_month(period)) for period in periods]


def test_a_warehouse_busy_for_longer_than_the_wait_at_the_start_starts_no_worker(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pre-check waited as long as the run may, in vain: the run stops before any worker
    starts (it would only wait again for its first file)."""
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    paths = months(settings.landing, "2024-04", "2024-05")

    def busy(*args: object, **kwargs: object) -> None:
        raise WarehouseBusy("the warehouse is in use by another process")

    monkeypatch.setattr(parallel, "open_writer", busy)
    started = []
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", lambda *a, **k: started.append(1))
    with pytest.raises(WarehouseBusy), prepared_ahead(dataclasses.replace(settings, workers=2), paths, RUN_DATE):
        pass
    assert started == []


def test_an_error_during_the_run_stops_the_workers_at_once(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl+C or a failing load does not wait for the workers to finish their files."""
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    paths = months(settings.landing, "2024-04", "2024-05", "2024-06")
    workers = []
    with (
        pytest.raises(KeyboardInterrupt),
        prepared_ahead(dataclasses.replace(settings, workers=2), paths, RUN_DATE) as ahead,
    ):
        workers = list(ahead._pool._processes.values())
        raise KeyboardInterrupt
    assert len(workers) == 2
    for process in workers:
        assert killed(process)  # stopped mid-start, not left to finish its file


def killed(process: multiprocessing.Process) -> bool:
    """The worker ended by SIGKILL. When something else in the test session reaped it (a
    wait for any child), its exit code is lost: then it must at least be gone already."""
    process.join(timeout=30)
    if process.exitcode is not None:
        return process.exitcode == -signal.SIGKILL
    status = Path(f"/proc/{process.pid}/stat")
    return not status.exists() or status.read_text().split(") ", 1)[1].startswith("Z")


def test_a_file_gone_after_the_check_is_left_for_the_next_run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    months(settings.landing, "2024-04", "2024-05", "2024-06")
    checked = parallel.new_files

    def check_then_lose_one(*args: object) -> dict[Path, int]:
        found = checked(*args)
        (settings.landing / "VictimVoice_2024-05_01.csv").unlink()
        return found

    monkeypatch.setattr(parallel, "new_files", check_then_lose_one)
    outcomes = ingest_landing(dataclasses.replace(settings, workers=2), RUN_DATE)
    assert [(o.file_name, o.status) for o in outcomes] == [
        ("VictimVoice_2024-04_01.csv", Status.LOADED),
        ("VictimVoice_2024-05_01.csv", Status.REJECTED),
        ("VictimVoice_2024-06_01.csv", Status.LOADED),
    ]
    assert "will be tried again next run" in outcomes[1].reason
    with open_writer(settings.warehouse) as con:
        recorded = con.sql("select file_name from audit.deliveries order by delivery_id").fetchall()
    assert recorded == [("VictimVoice_2024-04_01.csv",), ("VictimVoice_2024-06_01.csv",)]  # the lost one: not recorded


def test_the_default_workers_respect_a_container_quota_and_a_ceiling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quota = tmp_path / "cpu.max"
    quota.write_text("max 100000\n")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(96)))
    assert available_cpus(quota) == 64  # a big host: capped, never a configuration error
    assert Settings.from_env({}).workers == 64
    quota.write_text("150000 100000\n")  # docker --cpus=1.5
    assert available_cpus(quota) == 2
    quota.write_text("garbled")
    assert available_cpus(quota) == 64
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert available_cpus(tmp_path / "no such file") == 1
