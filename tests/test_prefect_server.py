"""The production path, for real: `prefect server start` on 127.0.0.1 in a temporary
PREFECT_HOME, `prefect deploy --all` from prefect.yaml, a process worker running the
triggered ingestion; then `victim-voice serve` against the same server.

Everything runs as separate processes, as it would on the OPCC's machine; the test talks
to the server over its REST API.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import TEST_KEY, full_month, write_csv
from victim_voice.settings import PREFECT_OFFLINE_DEFAULTS
from warehouse.db import open_reader

pytestmark = pytest.mark.slow
ROOT = Path(__file__).parents[1]
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def stop(process: subprocess.Popen, timeout: float) -> None:
    """Ctrl+C, as a person would; killed if it has not stopped within ``timeout`` seconds."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A real Prefect server; yields the environment its clients (CLI, worker, serve) need."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")},
        **PREFECT_OFFLINE_DEFAULTS,
        "PREFECT_HOME": str(home),
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    api = f"http://127.0.0.1:{port}/api"

    def healthy() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"prefect server exited: {(home / 'server.log').read_text()[-2000:]}")
        try:
            return httpx.get(f"{api}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(healthy, 120, "prefect server start")
        yield {**env, "PREFECT_API_URL": api}
    finally:
        stop(process, timeout=20)
        log.close()


def prefect(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "prefect", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def site(tmp_path: Path, env: dict[str, str]) -> dict[str, str]:
    """A landing folder with one full month, a warehouse path and the run's settings."""
    landing = tmp_path / "landing"
    write_csv(landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    return {
        **env,
        "VICTIM_VOICE_HOME": str(ROOT),
        "VICTIM_VOICE_LANDING": str(landing),
        "VICTIM_VOICE_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        "VICTIM_VOICE_OUTPUTS": str(tmp_path / "outputs"),
        "VICTIM_VOICE_PSEUDONYM_KEY": TEST_KEY,
        "VICTIM_VOICE_SETTLE_SECONDS": "0",
    }


def trigger(api: str, deployment: str, parameters: dict) -> str:
    """Create a flow run of ``flow/deployment`` now; returns its id."""
    found = httpx.get(f"{api}/deployments/name/{deployment}", timeout=10)
    found.raise_for_status()
    url = f"{api}/deployments/{found.json()['id']}/create_flow_run"
    for _ in range(5):  # a busy server's database answers 503 for a moment; Prefect's own client retries it too
        created = httpx.post(url, json={"parameters": parameters}, timeout=10)
        if created.status_code != 503:
            break
        time.sleep(1)
    created.raise_for_status()
    return created.json()["id"]


def final_state(api: str, flow_run_id: str, timeout: float) -> dict:
    """The flow run's state once it has finished (completed, failed, crashed or cancelled)."""

    def finished() -> dict | None:
        state = httpx.get(f"{api}/flow_runs/{flow_run_id}", timeout=10).json()["state"]
        return state if state["type"] in FINAL else None

    return wait_for(finished, timeout, "the flow run to finish")


def loaded_rows(warehouse: str) -> int:
    with open_reader(Path(warehouse)) as con:
        return con.execute("select count(*) from marts.responses").fetchall()[0][0]


def test_deploy_from_prefect_yaml_and_run_with_a_process_worker(server, tmp_path: Path) -> None:
    env = site(tmp_path, server)
    api = env["PREFECT_API_URL"]
    prefect(env, "work-pool", "create", "victim-voice", "--type", "process")
    prefect(env, "--no-prompt", "deploy", "--all")

    declared = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]
    for deployment in declared:
        flow_name = deployment["entrypoint"].split(":")[1].replace("_", "-")
        registered = httpx.get(f"{api}/deployments/name/{flow_name}/{deployment['name']}", timeout=10).json()
        assert registered["work_pool_name"] == "victim-voice"
        crons = [(s["schedule"]["cron"], s["schedule"]["timezone"]) for s in registered["schedules"]]
        assert crons == [(s["cron"], s["timezone"]) for s in deployment.get("schedules", [])]
    ingestion = httpx.get(f"{api}/deployments/name/monthly-ingestion/monthly-ingestion", timeout=10).json()
    assert ingestion["parameters"]["landing"] == env["VICTIM_VOICE_LANDING"]  # taken from the environment
    assert ingestion["global_concurrency_limit"]["limit"] == 1  # one writer at a time

    run_id = trigger(api, "monthly-ingestion/monthly-ingestion", {"run_date": "2024-06-30"})
    prefect(env, "worker", "start", "--pool", "victim-voice", "--run-once")
    state = final_state(api, run_id, timeout=60)
    assert state["type"] == "COMPLETED", state
    assert loaded_rows(env["VICTIM_VOICE_WAREHOUSE"]) == 170


def test_victim_voice_serve_runs_a_triggered_deployment(server, tmp_path: Path) -> None:
    env = site(tmp_path, server)
    api = env["PREFECT_API_URL"]
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "victim_voice.cli", "serve", "--out", env["VICTIM_VOICE_OUTPUTS"]],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:

        def served() -> bool:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            found = httpx.get(f"{api}/deployments/name/monthly-ingestion/monthly-ingestion", timeout=10)
            return found.status_code == 200 and found.json()["parameters"]["landing"] == env["VICTIM_VOICE_LANDING"]

        wait_for(served, 60, "victim-voice serve to register its deployments")
        registered = httpx.get(f"{api}/deployments/name/monthly-publication/monthly-publication", timeout=10).json()
        assert [s["schedule"]["cron"] for s in registered["schedules"]] == ["0 9 3 * *"]
        run_id = trigger(api, "monthly-ingestion/monthly-ingestion", {"run_date": "2024-06-30"})
        state = final_state(api, run_id, timeout=90)
    finally:
        stop(process, timeout=30)
        log.close()
    # May arrived and meets every quota: no alert, so the run completes
    assert state["type"] == "COMPLETED", (state, (tmp_path / "serve.log").read_text()[-3000:])
    assert loaded_rows(env["VICTIM_VOICE_WAREHOUSE"]) == 170


def test_prefect_run_from_the_project_folder_does_not_phone_home() -> None:
    """pyproject.toml's [tool.prefect] turns analytics off for `prefect server start` too."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "DO_NOT_TRACK"}
    shown = prefect(env, "config", "view", "--show-sources")
    assert "PREFECT_SERVER_ANALYTICS_ENABLED='False' (from pyproject.toml)" in shown
    assert "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY='False' (from pyproject.toml)" in shown
