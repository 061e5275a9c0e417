"""Benchmark: the monthly run, one 170-row delivery, from process start to exit.

- ``victim-voice ingest`` through the real Prefect flow, with Prefect's temporary server
  (no ``PREFECT_API_URL``; its first start, which creates the database, is shown apart)
  and against a running ``prefect server start`` on 127.0.0.1;
- where the time goes: imports, the work itself (read, validate, load with redaction,
  metrics; the same functions the flow's tasks call) and what is left, Prefect's share;
- the commands that run no flow (``query``, ``tables``, ``report``): wall time, and a check
  that they never import Prefect.

The warehouse already holds the 12 previous months (170 rows each), as it would in
production. Medians of REPEATS fresh processes, each on a fresh copy of that warehouse.

    .venv/bin/python benchmarks/bench_monthly.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx
from bench_ingest import timed  # a sibling script: benchmarks/ is on the path when run

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
KEY = "benchmark-pseudonym-key-0123456789abcdef"
CLI = [sys.executable, "-m", "victim_voice.cli"]


def clean_environment(prefect_home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "VICTIM_VOICE_"))}
    return {
        **env,
        "PREFECT_HOME": str(prefect_home),
        "VICTIM_VOICE_PSEUDONYM_KEY": KEY,
        "VICTIM_VOICE_SETTLE_SECONDS": "0",
        **extra,
    }


def wall(command: list[str], env: dict[str, str], ok: tuple[int, ...] = (0, 4)) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(command[2:])} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds


def fresh_copy(history: Path, target: Path) -> Path:
    """A copy of the warehouse holding the previous 12 months."""
    shutil.copyfile(history, target)
    return target


def ingest_runs(month: Path, history: Path, env: dict[str, str], repeats: int, label: str) -> list[float]:
    runs = []
    for number in range(repeats):
        warehouse = fresh_copy(history, history.parent / f"{label}-{number}.duckdb")
        runs.append(wall([*CLI, "ingest", "--landing", str(month), "--warehouse", str(warehouse)], env))
    return runs


def breakdown(landing: Path, warehouse: Path) -> dict[str, float]:
    """Imports and the work itself, timed in this (fresh) process."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    from victim_voice import cli  # noqa: F401 - the CLI's own imports

    timings["import the CLI"] = time.perf_counter() - started
    mark = time.perf_counter()
    from victim_voice.delivery import preparing
    from victim_voice.ingestion import loading
    from victim_voice.settings import Settings
    from warehouse import comment_codes
    from warehouse.db import open_writer
    from warehouse.models import refresh_metrics

    timings["import pandas, pandera, duckdb, the pipeline"] = time.perf_counter() - mark
    mark = time.perf_counter()
    import prefect  # noqa: F401

    from flows import monthly_ingestion  # noqa: F401

    timings["import Prefect and the flow"] = time.perf_counter() - mark
    mark = time.perf_counter()
    import pandera.backends.pandas.builtin_checks  # noqa: F401 - pandera imports these (and hypothesis) on first use

    from schemas.codebook import load_codebook
    from victim_voice.protection import redaction

    redaction.name_gazetteers(), redaction.common_english_words()  # Faker's name and word lists
    load_codebook()
    timings["first use: pandera backends, name lists, codebook"] = time.perf_counter() - mark
    settings = Settings(landing=landing, warehouse=warehouse, pseudonym_key=KEY)
    [path] = sorted(landing.glob("*.csv"))
    load = "work: load (pseudonymise, redact, insert)"
    steps = {
        (loading, "read_landing_file"): "work: read",
        (preparing, "read_delivery"): "work: read",
        (preparing, "validate_rows"): "work: validate",
        (preparing, "protected_rows"): load,
        (loading, "load_validated"): load,
    }
    for (module, step), label in steps.items():  # the real ingestion, each step timed where it runs
        setattr(module, step, timed(timings, label, getattr(module, step)))
    mark = time.perf_counter()
    with open_writer(warehouse) as con:
        loading.ingest_file(con, path, KEY.encode(), date.today())
    # the rest (opening the warehouse, the hash, the already-seen checks) counts as loading
    timings[load] += time.perf_counter() - mark - sum(timings[label] for label in set(steps.values()))
    coding = "work: code the comments into themes (in the refresh, classifier imports included)"
    comment_codes.code_stored_comments = timed(timings, coding, comment_codes.code_stored_comments)
    mark = time.perf_counter()
    refresh_metrics(settings)
    timings["work: metrics refresh"] = time.perf_counter() - mark - timings[coding]
    return timings


def start_server(home: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = clean_environment(home, PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_SERVER_UI_ENABLED="false")
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    api = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                return process, api
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("prefect server start did not become healthy in 120 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--breakdown-only", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.breakdown_only:
        print(json.dumps(breakdown(*args.breakdown_only)))
        return

    from victim_voice.demo import write_scale_deliveries
    from victim_voice.ingestion.run import ingest_landing
    from victim_voice.settings import Settings

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        # 13 months of 170 rows: the 12 older ones are the warehouse's history, the newest the run's
        delivery, *_older = write_scale_deliveries(folder / "history", files=13, rows_per_file=170, seed=5)
        (folder / "month").mkdir()
        delivery = delivery.rename(folder / "month" / delivery.name)
        period = delivery.name.split("_")[1]
        history = folder / "history.duckdb"
        ingest_landing(Settings(landing=folder / "history", warehouse=history, pseudonym_key=KEY), date.today())
        home = folder / "prefect-home"
        env = clean_environment(home)

        cold = wall([*CLI, "ingest", "--landing", str(delivery.parent),
                     "--warehouse", str(fresh_copy(history, folder / "cold.duckdb"))], env)  # fmt: skip
        temporary_server = ingest_runs(delivery.parent, history, env, args.repeats, "temporary")
        process, api = start_server(folder / "server-home")
        try:
            running = ingest_runs(delivery.parent, history, {**env, "PREFECT_API_URL": api}, args.repeats, "running")
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)

        splits = []
        for number in range(args.repeats):
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--breakdown-only",
                    str(delivery.parent),
                    str(fresh_copy(history, folder / f"b{number}.duckdb")),
                ],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            splits.append(json.loads(done.stdout.strip().splitlines()[-1]))
        steps = {name: statistics.median(s[name] for s in splits) for name in splits[0]}

        warehouse = folder / "running-0.duckdb"
        readers = {
            "query": [*CLI, "query", "select count(*) from marts.responses", "--warehouse", str(warehouse)],
            "tables": [*CLI, "tables"],
            "report (HTML)": [*CLI, "report", "--period", period, "--out", str(folder / "report"), "--no-pdf",
                              "--warehouse", str(warehouse)],
        }  # fmt: skip
        reader_times = {
            name: statistics.median(wall(c, env, ok=(0,)) for _ in range(args.repeats)) for name, c in readers.items()
        }
        probe = (
            "import sys; from victim_voice import cli; cli.main(sys.argv[1:]); "
            "print('PREFECT IMPORTED' if 'prefect' in sys.modules else 'no prefect')"
        )
        imports = {
            name: subprocess.run(
                [sys.executable, "-c", probe, *command[3:]], env=env, cwd=ROOT, capture_output=True, text=True
            )
            .stdout.strip()
            .splitlines()[-1]
            for name, command in readers.items()
        }

    median_temporary = statistics.median(temporary_server)
    median_running = statistics.median(running)
    work = sum(v for k, v in steps.items() if k.startswith("work"))
    print("monthly run: one 170-row delivery, `victim-voice ingest`, process start to exit")
    print(f"  with Prefect's temporary server: median {median_temporary:.1f} s (first start ever: {cold:.1f} s)")
    print(f"  against a running prefect server: median {median_running:.1f} s (target under 5 s)")
    print("  where the time goes (median of fresh processes):")
    for name, seconds in steps.items():
        print(f"    {name:<52} {seconds:6.2f} s")
    print(f"    {'work, parse to metrics':<52} {work:6.2f} s (target under 1 s)")
    rest = median_running - sum(steps.values()) + steps["import Prefect and the flow"]  # Prefect's imports too
    print(f"    {'Prefect: imports, flow and task runs, API':<52} {rest:6.2f} s (running server)")
    print("commands that run no flow (median wall time, target under 1 s):")
    for name, seconds in reader_times.items():
        print(f"    {name:<15} {seconds:5.2f} s   {imports[name]}")


if __name__ == "__main__":
    main()
