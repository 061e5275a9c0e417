"""Preparing a batch of files in worker processes loads exactly what one process loads."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from tests.conftest import RUN_DATE, base_row, full_month, write_csv
from tests.test_loading import table_snapshot
from warehouse import ingestion
from warehouse.db import open_writer
from warehouse.ingestion import PreparedAhead, ingest_landing, new_files
from warehouse.loading import PreparedDelivery
from warehouse.settings import ConfigurationError, Settings, available_cpus


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
    parallel = dataclasses.replace(settings, warehouse=tmp_path / "parallel.duckdb", workers=2)
    serial_outcomes = ingest_landing(serial, RUN_DATE)

    monkeypatch.setattr(ingestion, "PARALLEL_MIN_BYTES", 0)  # these files are small: use the workers anyway
    from_workers = []
    take = PreparedAhead.take

    def counting_take(self: PreparedAhead, path: Path) -> object:
        prepared = take(self, path)
        if prepared is not None:
            from_workers.append((path.name, type(prepared).__name__))
        return prepared

    monkeypatch.setattr(PreparedAhead, "take", counting_take)
    parallel_outcomes = ingest_landing(parallel, RUN_DATE)

    assert parallel_outcomes == serial_outcomes
    assert [o.status for o in parallel_outcomes] == ["LOADED", "LOADED", "LOADED", "DUPLICATE", "REJECTED", "REJECTED"]
    assert snapshot(parallel) == snapshot(serial)
    assert len(from_workers) == 6 and {kind for _, kind in from_workers} == {PreparedDelivery.__name__}
    redacted = snapshot(parallel)["versions"]
    assert not any("Sarah" in str(cell) or "07700" in str(cell) for row in redacted for cell in row)


def test_files_processed_before_are_not_sent_to_workers(settings: Settings) -> None:
    write_csv(settings.landing / "VictimVoice_2024-04_01.csv", full_month("2024-04"))
    ingest_landing(settings, RUN_DATE)
    changed = write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    paths = sorted(settings.landing.iterdir())
    assert new_files(settings, paths) == [changed]


def test_a_small_batch_or_one_worker_starts_no_process(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker process was started")

    monkeypatch.setattr(ingestion, "ProcessPoolExecutor", no_pool)
    write_csv(settings.landing / "VictimVoice_2024-04_01.csv", full_month("2024-04"))
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    assert [o.status for o in ingest_landing(dataclasses.replace(settings, workers=8), RUN_DATE)] == ["LOADED"] * 2
    monkeypatch.setattr(ingestion, "PARALLEL_MIN_BYTES", 0)
    write_csv(settings.landing / "VictimVoice_2024-06_01.csv", full_month("2024-06"))
    write_csv(settings.landing / "VictimVoice_2024-07_01.csv", full_month("2024-07"))
    assert [o.status for o in ingest_landing(dataclasses.replace(settings, workers=1), RUN_DATE)] == ["LOADED"] * 2


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
