"""Faults of the machine, not the data: a full disk, a read-only or unreadable folder, a damaged
warehouse, a commit that fails. Each gives one line naming the cause, the path and what to do,
with its exit code (5 storage, 6 damaged warehouse), never a traceback, and loses nothing: the
landing files are untouched and the warehouse is as it was.

Faults are injected where a real one cannot be made; where it can (a small tmpfs, a read-only
bind mount, a user without the right to read: needs root), the real one is used too, and the
test is skipped cleanly elsewhere. The monthly flow's own path (Prefect) is in
``test_flow_end_to_end.py``.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.conftest import RUN_DATE, TEST_KEY, full_month, write_csv
from victim_voice import cli
from victim_voice.ingestion import run
from victim_voice.ingestion.result import IngestionResult
from victim_voice.ingestion.run import ingest_landing
from victim_voice.outputs.alerts import find_alerts
from victim_voice.settings import Settings
from warehouse import db, models, storage
from warehouse.db import StorageFault, transaction

ROOT = Path(__file__).parents[1]


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def one_month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding 2024-04, built once and copied into each test."""
    folder = tmp_path_factory.mktemp("one-month")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VICTIM_VOICE_PSEUDONYM_KEY", TEST_KEY)
        patch.setenv("VICTIM_VOICE_SETTLE_SECONDS", "0")
        landing = folder / "landing"
        write_csv(landing / "VictimVoice_2024-04_01.csv", full_month("2024-04"))
        settings = Settings.from_env().with_paths(landing, folder / "warehouse.duckdb")
        [outcome] = ingest_landing(settings, RUN_DATE)
        assert outcome.rows_loaded == 170
    return settings.warehouse


@pytest.fixture
def loaded(settings: Settings, one_month: Path) -> Settings:
    """``settings`` with 2024-04 loaded and 2024-05 waiting in the landing folder."""
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(one_month, settings.warehouse)
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    return settings


@pytest.fixture(autouse=True)
def without_prefect(monkeypatch: pytest.MonkeyPatch) -> None:
    """`ingest` runs the flow's steps without Prefect here (the flow's path: test_flow_end_to_end.py)."""

    def run_plainly(settings: Settings, run_date=None, key_file=None) -> IngestionResult:
        outcomes = ingest_landing(settings, RUN_DATE)
        return IngestionResult(tuple(outcomes), tuple(find_alerts(outcomes, settings, RUN_DATE)))

    monkeypatch.setattr(cli, "run_ingestion_flow", run_plainly)


def one_line(code: int, err: str, expected_code: int, *words: str) -> str:
    """The fault's message: exactly one line on stderr, no traceback, with the exit code."""
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert code == expected_code, err
    for word in words:
        assert word in err, err
    return err


def fault(capsys: pytest.CaptureFixture, args: list[str], expected_code: int, *words: str) -> str:
    code = cli.main(args)
    return one_line(code, capsys.readouterr().err, expected_code, *words)


def ingest(settings: Settings) -> list[str]:
    return ["ingest", "--landing", str(settings.landing), "--warehouse", str(settings.warehouse)]


def landing_state(landing: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(landing.iterdir())}


def warehouse_state(path: Path) -> tuple:
    """What the warehouse holds: its deliveries, response versions and quarantine rows."""
    with duckdb.connect(str(path), read_only=True) as con:
        deliveries = con.sql(
            "select delivery_id, file_name, sha256, status from audit.deliveries order by 1"
        ).fetchall()
        [(versions, quarantined)] = con.sql(
            "select (select count(*) from core.response_versions), (select count(*) from audit.quarantine)"
        ).fetchall()
    return deliveries, versions, quarantined


def assert_nothing_lost(settings: Settings, landing_before: dict, warehouse_before: tuple) -> None:
    assert landing_state(settings.landing) == landing_before
    assert warehouse_state(settings.warehouse) == warehouse_before


def no_space(path: Path) -> duckdb.IOException:
    return duckdb.IOException(f'IO Error: Could not write file "{path}": No space left on device')


class FailingCommit:
    """A connection whose commit fails as DuckDB's does on a full disk: DuckDB ends the
    transaction, so a rollback after it would say "no transaction is active"."""

    def __init__(self, con: duckdb.DuckDBPyConnection, wal: Path) -> None:
        self._con, self._wal = con, wal
        con.execute("set python_scan_all_frames = true")  # the storage functions' DataFrames, through this proxy

    def __getattr__(self, name: str) -> object:
        return getattr(self._con, name)

    def execute(self, sql: str, *args: object) -> duckdb.DuckDBPyConnection:
        if sql.strip().lower() == "commit":
            self._con.execute("rollback")  # DuckDB has ended it
            cause = f'Could not write file "{self._wal}": No space left on device'
            raise duckdb.TransactionException(f"TransactionContext Error: Failed to commit: {cause}")
        return self._con.execute(sql, *args)


def failing_commits(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    real_connect = db.connect

    def connect(path: Path, read_only: bool, db_key: str | None) -> object:
        con = real_connect(path, read_only, db_key)
        return con if read_only else FailingCommit(con, Path(f"{settings.warehouse}.wal"))

    monkeypatch.setattr(db, "connect", connect)


# --------------------------------------------------------------------------- a full disk


def test_a_failed_commit_reports_its_cause_not_the_rollback(
    loaded: Settings, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    landing_before, warehouse_before = landing_state(loaded.landing), warehouse_state(loaded.warehouse)
    with monkeypatch.context() as patch:
        failing_commits(patch, loaded)
        err = fault(capsys, ingest(loaded), 5, "storage fault: ", f"{loaded.warehouse}.wal: the disk is full")
    assert "rollback" not in err and "no transaction is active" not in err
    assert "free space on that disk" in err and err.rstrip().endswith("Nothing was lost")
    assert_nothing_lost(loaded, landing_before, warehouse_before)


def test_a_rollback_that_fails_never_hides_the_error_that_stopped_the_transaction() -> None:
    con = duckdb.connect()
    con.execute("create table t (x int)")
    with pytest.raises(ZeroDivisionError), transaction(con):
        con.execute("insert into t values (1)")
        con.execute("rollback")  # the transaction has ended under the block (as DuckDB does on a fatal error)
        1 / 0  # noqa: B018
    assert con.execute("select count(*) from t").fetchall() == [(0,)]


def raises(error: BaseException):
    def fail(*args: object, **kwargs: object) -> None:
        raise error

    return fail


@pytest.mark.parametrize("where", ["loading a file", "refreshing the metrics", "creating the warehouse"])
def test_a_full_disk_at_each_write_point_is_exit_5(
    loaded: Settings, where: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    landing_before, (deliveries, *_) = landing_state(loaded.landing), warehouse_state(loaded.warehouse)
    wal = Path(f"{loaded.warehouse}.wal")
    with monkeypatch.context() as patch:
        if where == "loading a file":
            patch.setattr(storage, "insert_response_versions", raises(no_space(wal)))
        elif where == "refreshing the metrics":
            patch.setattr(models, "refresh_models", raises(no_space(wal)))
        else:
            loaded.warehouse.unlink()
            patch.setattr(db.duckdb, "connect", raises(OSError(errno.ENOSPC, "No space left on device", "w")))
        fault(capsys, ingest(loaded), 5, "the disk is full (No space left on device)")
    assert landing_state(loaded.landing) == landing_before
    if where == "creating the warehouse":  # nothing created: no stub that would read as damaged next time
        assert not loaded.warehouse.exists()
        return
    loaded_now = [row[1] for row in warehouse_state(loaded.warehouse)[0]]
    # the file's own transaction either committed whole (the fault came after it) or not at all
    expected = [*[row[1] for row in deliveries], *(["VictimVoice_2024-05_01.csv"] if where != "loading a file" else [])]
    assert loaded_now == expected
    assert cli.main(ingest(loaded)) == 0  # the fault gone, the next run finishes the work


def test_a_full_disk_while_refreshing_metrics_keeps_the_previous_metrics(
    loaded: Settings, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    before = warehouse_state(loaded.warehouse)
    with monkeypatch.context() as patch:
        failing_commits(patch, loaded)
        fault(capsys, ["metrics", "--warehouse", str(loaded.warehouse)], 5, "the disk is full")
    assert warehouse_state(loaded.warehouse) == before
    with duckdb.connect(str(loaded.warehouse), read_only=True) as con:
        assert con.sql("select count(*) from marts.metric_values").fetchall()[0][0] > 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 16 MB tmpfs (root and mount needed; skipped cleanly otherwise)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a real small disk needs root and mount")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield disk
    finally:
        unmount(disk)


def unmount(folder: Path) -> None:
    """Unmount what a test mounted, lazily if something still holds it; never leave it."""
    for attempt in range(5):
        subprocess.run(["umount", *(["-l"] if attempt else []), str(folder)], capture_output=True, check=False)
        if not os.path.ismount(folder):
            return
        time.sleep(0.2)
    raise AssertionError(f"{folder} is still mounted")


def fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` but ``leave`` bytes; returns the filler (remove it to free the space)."""
    filler = disk / "filler"
    filler.write_bytes(b"\0" * (shutil.disk_usage(disk).free - leave))
    return filler


@pytest.mark.parametrize("leave", [64 * 1024, 0], ids=["the commit fails", "nothing left at all"])
def test_a_really_full_disk_is_exit_5_and_the_next_run_loads(
    loaded: Settings, small_disk: Path, leave: int, capsys
) -> None:
    warehouse = small_disk / "warehouse" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(loaded.warehouse, warehouse)
    settings = loaded.with_paths(warehouse=warehouse)
    landing_before, warehouse_before = landing_state(settings.landing), warehouse_state(warehouse)
    filler = fill(small_disk, leave)
    fault(capsys, ingest(settings), 5, "the disk is full (No space left on device)", str(warehouse.parent))
    fault(capsys, ["metrics", "--warehouse", str(warehouse)], 5, "the disk is full")
    filler.unlink()
    assert_nothing_lost(settings, landing_before, warehouse_before)
    assert cli.main(ingest(settings)) == 0  # space freed: the same file loads
    assert [row[1] for row in warehouse_state(warehouse)[0]] == [
        "VictimVoice_2024-04_01.csv",
        "VictimVoice_2024-05_01.csv",
    ]


def test_a_full_disk_when_the_warehouse_is_created_leaves_nothing(settings: Settings, small_disk: Path, capsys) -> None:
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    fill(small_disk, 0)
    warehouse = small_disk / "new" / "warehouse.duckdb"
    fault(capsys, ingest(settings.with_paths(warehouse=warehouse)), 5, "the disk is full")
    assert not warehouse.parent.exists()


# --------------------------------------------------------------------------- read-only and unreadable folders


def test_a_read_only_warehouse_folder_injected(loaded: Settings, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    landing_before, warehouse_before = landing_state(loaded.landing), warehouse_state(loaded.warehouse)

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", "probe")

    with monkeypatch.context() as patch:
        patch.setattr(run.tempfile, "TemporaryFile", read_only)
        fault(capsys, ingest(loaded), 5, f"{loaded.warehouse.parent}: the file system is read-only", "remount it")
    assert_nothing_lost(loaded, landing_before, warehouse_before)


@pytest.fixture
def read_only_mount(loaded: Settings) -> Iterator[Path]:
    """The warehouse's folder bind-mounted read-only over itself (root and mount needed)."""
    folder = loaded.warehouse.parent
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a read-only bind mount needs root and mount")
    if subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True).returncode != 0:
        pytest.skip("cannot bind-mount here")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("cannot remount read-only here")
        yield folder
    finally:
        unmount(folder)


def test_a_really_read_only_warehouse_folder(loaded: Settings, read_only_mount: Path, capsys) -> None:
    landing_before, warehouse_before = landing_state(loaded.landing), warehouse_state(loaded.warehouse)
    fault(capsys, ingest(loaded), 5, f"{read_only_mount}: the file system is read-only (Read-only file system)")
    fault(capsys, ["metrics", "--warehouse", str(loaded.warehouse)], 5, "the file system is read-only")
    args = ["query", "select count(*) as files from audit.deliveries", "--warehouse", str(loaded.warehouse)]
    assert cli.main(args) == 0  # reading still works
    assert_nothing_lost(loaded, landing_before, warehouse_before)


def test_an_unreadable_landing_folder_injected_creates_nothing(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:
        if Path(path) == settings.landing:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    err = fault(capsys, ingest(settings), 5, f"cannot read the landing folder: {settings.landing}: the user running")
    assert "give that user access to it" in err
    assert not settings.warehouse.parent.exists()  # checked before the warehouse is opened


def without_root_powers() -> list[str]:
    """A prefix running a command as root without the power to ignore file permissions."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root and setpriv to drop the power to ignore permissions")
    prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]
    if subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
        pytest.skip("setpriv cannot drop capabilities here")
    return prefix


DRIVER = """
import contextlib, io, json, sys
from victim_voice import cli
results = []
for args in json.loads(sys.argv[1]):
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = cli.main(args)
    results.append([code, err.getvalue()])
print(json.dumps(results))
"""


def run_cli(prefix: list[str], *commands: list[str]) -> list[tuple[int, str]]:
    """Each command's exit code and stderr, run in one process (started once: about a second)."""
    done = subprocess.run(
        [*prefix, sys.executable, "-c", DRIVER, json.dumps(commands)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    return [tuple(result) for result in json.loads(done.stdout.splitlines()[-1])]


def test_a_really_unreadable_landing_folder_creates_nothing(settings: Settings) -> None:
    prefix = without_root_powers()
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    settings.landing.chmod(0)
    try:
        [(code, err)] = run_cli(prefix, ingest(settings))
    finally:
        settings.landing.chmod(0o700)
    one_line(code, err, 5, f"storage fault: cannot read the landing folder: {settings.landing}")
    assert not settings.warehouse.parent.exists()


def test_a_really_unwritable_warehouse_folder(loaded: Settings) -> None:
    prefix = without_root_powers()
    landing_before, warehouse_before = landing_state(loaded.landing), warehouse_state(loaded.warehouse)
    loaded.warehouse.parent.chmod(0o500)
    try:
        ingested, metrics = run_cli(prefix, ingest(loaded), ["metrics", "--warehouse", str(loaded.warehouse)])
    finally:
        loaded.warehouse.parent.chmod(0o700)
    one_line(*ingested, 5, f"{loaded.warehouse.parent}: the user running victim-voice may not use it")
    one_line(*metrics, 5, f"{loaded.warehouse}.wal: the user running victim-voice may not use it")
    assert_nothing_lost(loaded, landing_before, warehouse_before)


# --------------------------------------------------------------------------- a damaged warehouse


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 10]


def corrupted(data: bytes) -> bytes:
    return data[: 3 * 4096] + b"\xa5" * 8192 + data[5 * 4096 :]  # blocks after the headers


DAMAGE = {
    "truncated": truncated,
    "corrupted": corrupted,
    "not a database": lambda data: b"hello, these are someone's notes\n" * 200,
    "empty": lambda data: b"",
}


def where(settings: Settings) -> list[str]:
    return ["--warehouse", str(settings.warehouse)]


COMMANDS = {
    "ingest": lambda s: ingest(s),
    "query": lambda s: ["query", "select count(*) from audit.deliveries", "--warehouse", str(s.warehouse)],
    "metrics": lambda s: ["metrics", "--warehouse", str(s.warehouse)],
    "report": lambda s: ["report", "--period", "2024-04", "--out", "out", "--no-pdf", "--warehouse", str(s.warehouse)],
    "publish": lambda s: ["publish", "--out", "out", "--warehouse", str(s.warehouse)],
    "contract-pack": lambda s: ["contract-pack", "--all", "--out", "out", "--warehouse", str(s.warehouse)],
    "comments review": lambda s: ["comments", "review", "--contract", "SARC", "--out", "out", *where(s)],
    "purge": lambda s: ["purge", "--older-than", "0", "--landing", str(s.landing), "--warehouse", str(s.warehouse)],
}


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("command", ["ingest", "query"])
def test_a_damaged_warehouse_is_exit_6_and_left_as_it_is(loaded: Settings, damage: str, command: str, capsys) -> None:
    loaded.warehouse.write_bytes(DAMAGE[damage](loaded.warehouse.read_bytes()))
    before, landing_before = loaded.warehouse.read_bytes(), landing_state(loaded.landing)
    err = fault(capsys, COMMANDS[command](loaded), 6, f"victim-voice: the warehouse {loaded.warehouse} is damaged")
    assert "restore the latest verified backup" in err and err.rstrip().endswith("Nothing was changed")
    assert loaded.warehouse.read_bytes() == before and landing_state(loaded.landing) == landing_before
    assert not Path(f"{loaded.warehouse}.wal").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_says_so_in_one_line(loaded: Settings, command: str, tmp_path: Path, capsys) -> None:
    loaded.warehouse.write_bytes(truncated(loaded.warehouse.read_bytes()))
    fault(capsys, COMMANDS[command](loaded), 6, "is damaged")
    assert not (tmp_path / "out").exists()  # nothing created when the command cannot start


def test_an_output_folder_that_cannot_be_written_is_exit_5(
    loaded: Settings, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    write_csv(loaded.landing / "VictimVoice_2024-03_01.csv", full_month("2024-03"))
    ingest_landing(loaded, RUN_DATE)  # three months: a rolling window to report
    real_write_text = Path.write_text

    def write_text(self: Path, *args: object, **kwargs: object) -> int:
        if ".html" in self.name:
            real_write_text(self, "<html><body>half a rep")  # what a full disk leaves
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    args = ["report", "--period", "2024-05", "--out", "reports", "--no-pdf", "--warehouse", str(loaded.warehouse)]
    fault(capsys, args, 5, "reports/VictimVoice_report_2024-05.html: the disk is full")
    assert list(Path("reports").iterdir()) == []  # no half-written report that looks whole


def test_the_demo_on_a_full_disk_is_exit_5(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "demo" / "landing"))

    monkeypatch.setattr("victim_voice.demo.write_demo_deliveries", full)
    fault(capsys, ["demo", "--dir", str(tmp_path / "demo"), "--months", "1"], 5, "the disk is full")


def test_faults_are_typed_in_one_place() -> None:
    """OS and DuckDB errors mean the same fault whichever way they arrive."""
    typed = db.typed_fault
    assert isinstance(typed(OSError(errno.EDQUOT, "Disk quota exceeded", "/w")), StorageFault)
    assert isinstance(typed(duckdb.IOException("IO Error: Could not write file: Input/output error")), StorageFault)
    assert isinstance(
        typed(duckdb.Error("Corrupt database file: computed checksum 1 does not match")), db.WarehouseDamaged
    )
    assert typed(duckdb.CatalogException("Table with name x does not exist!")) is None
    assert typed(OSError(errno.ECONNREFUSED, "Connection refused")) is None  # not the disk
    assert typed(ValueError("No space left on device")) is None  # only OS and DuckDB errors are read
    assert typed(duckdb.ConversionException("Could not convert string 'No space left on device' to INT32")) is None


def test_a_query_quoting_the_words_of_a_fault_is_still_a_failing_query(loaded: Settings, capsys) -> None:
    args = ["query", "select 'No space left on device'::int", "--warehouse", str(loaded.warehouse)]
    assert cli.main(args) == 2  # not a storage fault (its message shows where in the query, on more lines)
    assert capsys.readouterr().err.startswith("victim-voice: error: the query failed: Conversion Error")
