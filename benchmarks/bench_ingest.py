"""Benchmark: ingestion throughput against DuckDB alone, and the memory of one big file.

1. Throughput: FILES generated deliveries of ROWS rows each (default 10 × 20,000) ingested
   into a fresh warehouse by the plain ingestion (read, validate, pseudonymise, redact,
   load; then the metrics refresh), as ``ingest`` runs it: with WORKERS processes preparing
   files while the run loads them (default: one per CPU), and with one worker, timed step by
   step; and DuckDB alone loading the same CSV files into one table with ``read_csv`` (every
   column as text).
2. Memory: one file of SINGLE rows (default 200,000) ingested in a fresh process; peak RSS.

Each measurement runs in a fresh process, REPEATS times (median). Deliveries come from the
project's generator (``write_scale_deliveries``: valid rows, ~3% messy, ~0.2% bad ones,
comments on about one row in two, drawn from a pool of rendered templates; the share of
distinct comments is printed).

    .venv/bin/python benchmarks/bench_ingest.py [--files 10] [--rows 20000] [--single 200000] [--repeats 3]
        [--workers N]
        [--comment-pool 1000000]   # the generator renders more distinct comments (16% distinct)
        [--distinct-comments]      # every comment distinct, as real free text is
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
KEY = "benchmark-pseudonym-key-0123456789abcdef"


def generate(
    landing: Path, files: int, rows: int, comment_pool: int | None = None, distinct: bool = False
) -> list[Path]:
    """Deliveries from the project's generator; ``comment_pool`` overrides how many distinct
    comments it renders per column and file (its default, 1,500, repeats them at scale);
    ``distinct`` makes every comment distinct, as real free text is (see make_distinct)."""
    from victim_voice.demo import comments, write_scale_deliveries

    if comment_pool:
        comments.COMMENT_POOL_LIMIT = comment_pool  # read where the comment pool is drawn
    paths = write_scale_deliveries(landing, files=files, rows_per_file=rows, seed=11)
    if distinct:
        make_distinct(paths)
    return paths


def make_distinct(paths: list[Path]) -> None:
    """Append to each comment a short clause of common lower-case English words, different
    for every comment (no names, numbers or identifiers: redaction's work is unchanged but it
    can no longer reuse a result)."""
    import itertools

    from faker.providers.lorem.en_US import Provider

    words = sorted({w.lower() for w in Provider.word_list if w.isalpha() and w.islower()})
    clauses = (" ".join(c) for c in itertools.product(words[:120], words[120:240], words[240:360]))
    csv.field_size_limit(1 << 30)
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        columns = [rows[0].index(c) for c in ("comment_police", "comment_services")]
        for row in rows[1:]:
            for column in columns:
                if column < len(row) and row[column].strip():
                    row[column] = f"{row[column]} Also {next(clauses)}."
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)


def comment_profile(paths: list[Path]) -> tuple[int, int]:
    """Comments in the files, and how many of them are distinct."""
    csv.field_size_limit(1 << 30)
    comments: list[str] = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                comments += [row[c] for c in ("comment_police", "comment_services") if row[c]]
    return len(comments), len(set(comments))


def timed(steps: dict[str, float], name: str, function):
    """``function``, adding the time each call takes to ``steps[name]``."""

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            steps[name] = steps.get(name, 0.0) + time.perf_counter() - started

    return wrapper


def ingest_once(landing: Path, warehouse: Path, workers: int) -> dict:
    """One ingestion of every file in ``landing``, in this process, as ``ingest`` runs it.

    With one worker everything runs here, timed step by step; with more, files are prepared
    in worker processes (not timed by step) while this process loads them."""
    from victim_voice.delivery import preparing
    from victim_voice.ingestion import loading
    from victim_voice.ingestion.run import RunSteps, ingest_landing
    from victim_voice.settings import Settings
    from warehouse.models import refresh_metrics

    steps: dict[str, float] = {}
    for module, name, step in [
        (preparing, "read", "read_delivery"),
        (preparing, "validate", "validate_rows"),
        (preparing, "protect", "protected_rows"),
        (loading, "load", "load_validated"),
    ]:
        setattr(module, step, timed(steps, name, getattr(module, step)))
    settings = Settings(landing=landing, warehouse=warehouse, pseudonym_key=KEY, settle_seconds=0, workers=workers)
    started = time.perf_counter()
    outcomes = ingest_landing(settings, date.today(), RunSteps(refresh=timed(steps, "metrics", refresh_metrics)))
    total = time.perf_counter() - started
    return {
        "seconds": total,
        "steps": steps,
        "rows": sum(o.rows_in_file for o in outcomes),
        "loaded": sum(o.rows_loaded for o in outcomes),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "workers_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def duckdb_once(landing: Path, database: Path) -> dict:
    """DuckDB alone: the same CSV files into one table, every column as text."""
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(str(database))
    con.execute(
        "create table deliveries as select * from read_csv(?, all_varchar = true, header = true, union_by_name = true)",
        [[str(p) for p in sorted(landing.glob("*.csv"))]],
    )
    rows = con.execute("select count(*) from deliveries").fetchall()[0][0]
    con.close()
    return {"seconds": time.perf_counter() - started, "rows": rows}


def in_fresh_process(mode: str, landing: Path, target: Path, workers: int | None = None) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            f"--{mode}-only",
            str(landing),
            str(target),
            *([f"--workers={workers}"] * bool(workers)),
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "VICTIM_VOICE_PSEUDONYM_KEY": KEY},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def repeated(mode: str, landing: Path, folder: Path, repeats: int, workers: int | None = None) -> list[dict]:
    runs = []
    for number in range(repeats):
        target = folder / f"{mode}-{number}.duckdb"
        runs.append(in_fresh_process(mode, landing, target, workers))
        target.unlink()
    return runs


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def print_steps(runs: list[dict]) -> None:
    steps = {name: statistics.median(r["steps"].get(name, 0.0) for r in runs) for name in runs[0]["steps"]}
    print("    " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in steps.items()))


def main() -> None:
    from victim_voice.settings import available_cpus

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--rows", type=int, default=20_000, help="rows per file for the throughput run")
    parser.add_argument("--single", type=int, default=200_000, help="rows of the one file for the memory run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=available_cpus(), help="as VICTIM_VOICE_WORKERS (default: CPUs)")
    parser.add_argument(
        "--comment-pool", type=int, help="distinct comments rendered per column and file (more: fewer repeats)"
    )
    parser.add_argument(
        "--distinct-comments", action="store_true", help="every comment distinct, as real free text would be"
    )
    parser.add_argument("--ingest-only", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--duckdb-only", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ingest_only:
        print(json.dumps(ingest_once(*args.ingest_only, workers=args.workers)))
        return
    if args.duckdb_only:
        print(json.dumps(duckdb_once(*args.duckdb_only)))
        return

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        paths = generate(folder / "landing", args.files, args.rows, args.comment_pool, args.distinct_comments)
        comments, distinct = comment_profile(paths)
        print(
            f"throughput: {args.files} files x {args.rows:,} rows; {comments:,} comments, "
            f"{distinct:,} distinct ({100 * distinct / comments:.0f}%)"
        )
        theirs = repeated("duckdb", folder / "landing", folder, args.repeats)
        theirs_s = median(theirs, "seconds")
        print(f"  DuckDB read_csv alone: median {theirs_s:.2f} s, {theirs[0]['rows'] / theirs_s:,.0f} rows/s")
        for workers in sorted({1, args.workers}):
            ours = repeated("ingest", folder / "landing", folder, args.repeats, workers)
            ours_s = median(ours, "seconds")
            rows = ours[0]["rows"]
            print(
                f"  victim-voice ingestion, {workers} worker(s): median {ours_s:.1f} s, {rows / ours_s:,.0f} rows/s"
                f" ({ours[0]['loaded']:,} loaded), {ours_s / theirs_s:.1f}x DuckDB alone (target: within 10x)"
            )
            print_steps(ours)
            if workers > 1:
                print(
                    f"    peak RSS: run {median(ours, 'peak_rss_mb'):,.0f} MB, "
                    f"largest worker {median(ours, 'workers_peak_rss_mb'):,.0f} MB"
                )

        if args.single:
            single = generate(folder / "single", 1, args.single, args.comment_pool, args.distinct_comments)
            memory = repeated("ingest", single[0].parent, folder, args.repeats)
            print(
                f"memory: one file of {args.single:,} rows: peak RSS median {median(memory, 'peak_rss_mb'):,.0f} MB "
                f"(target under 1,500 MB), {median(memory, 'seconds'):.1f} s"
            )


if __name__ == "__main__":
    main()
