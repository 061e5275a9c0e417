"""Child processes end with the run, even a run killed with SIGKILL: the workers preparing a
batch and Prefect's temporary server. Real processes, really killed (Linux: the kernel's
parent-death signal does the work)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import base_row, write_csv
from victim_voice.settings import Settings

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")


def children_of(pid: int) -> dict[int, str]:
    """The live processes whose parent is ``pid``, with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdecimal():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if int(parent) == pid and state != "Z":
            found[int(entry.name)] = command
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper is as good as gone: it holds no memory)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def kill_and_check_children_end(parent: subprocess.Popen, children: list[int]) -> None:
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    try:
        assert wait_for(lambda: not any(alive(c) for c in children), seconds=5), [c for c in children if alive(c)]
    finally:
        for child in filter(alive, children):  # a failing test leaves nothing behind either
            os.kill(child, signal.SIGKILL)


def test_the_temporary_prefect_server_ends_when_the_run_is_killed(settings: Settings, tmp_path: Path) -> None:
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row()])
    environment = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}  # no PREFECT_API_URL (conftest)
    run = subprocess.Popen(
        [sys.executable, "-m", "victim_voice.cli", "ingest", "--landing", str(settings.landing),
         "--warehouse", str(settings.warehouse)],
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert wait_for(lambda: any("uvicorn" in c for c in children_of(run.pid).values()), seconds=60)
        servers = {pid: command for pid, command in children_of(run.pid).items() if "uvicorn" in command}
        kill_and_check_children_end(run, list(servers))
        assert all("victim_voice.ingestion.child_processes" in command for command in servers.values())
    finally:
        run.kill()
        run.wait()


def test_batch_workers_end_when_the_run_is_killed(settings: Settings) -> None:
    for month in ("2024-04", "2024-05"):
        write_csv(settings.landing / f"VictimVoice_{month}_01.csv", [base_row(interview_date=f"{month}-14")])
    script = f"""
import sys, time
from datetime import date
from pathlib import Path
sys.path[:0] = {sys.path!r}
from victim_voice.ingestion import parallel
from victim_voice.settings import Settings
parallel.PARALLEL_MIN_BYTES = 0
settings = Settings.from_env().with_paths(Path({str(settings.landing)!r}), Path({str(settings.warehouse)!r}))
paths = sorted(settings.landing.iterdir())
with parallel.prepared_ahead(settings, paths, date(2024, 6, 30)) as ahead:
    ahead.take(paths[0])  # the workers have started and prepared a file
    print("ready", flush=True)
    time.sleep(60)
"""
    environment = {**os.environ, "VICTIM_VOICE_WORKERS": "2"}
    run = subprocess.Popen([sys.executable, "-c", script], env=environment, stdout=subprocess.PIPE, text=True)
    try:
        assert run.stdout.readline().strip() == "ready"
        workers = list(children_of(run.pid))
        assert len(workers) >= 2  # the two workers (and multiprocessing's resource tracker)
        kill_and_check_children_end(run, workers)
    finally:
        run.kill()
        run.wait()


def test_a_child_whose_parent_is_already_gone_ends_at_once() -> None:
    """The race: the parent died between starting the child and the child's request."""
    child = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path[:0] = {sys.path!r}\n"
         "from victim_voice.ingestion.child_processes import end_with_parent\n"
         "end_with_parent(1)\nprint('still here')"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert child.returncode == -signal.SIGKILL and "still here" not in child.stdout
