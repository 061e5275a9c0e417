"""Benchmark: the metrics refresh over N generated responses (default 1,000,000).

Rows come from the project's generator, typed by the project's own typing step and
written straight into storage (this measures the refresh, not ingestion), comments and a
pseudonym included, as the refresh copies them into its snapshot of the responses. The
comments are coded into themes once before the refreshes (timed: what re-coding every stored
comment after a change of classifier costs), as each month's run would have coded its own. The
refresh runs REPEATS times in a fresh process each, reporting wall time and peak RSS
(median). ``--sql-dir`` refreshes with another copy of ``sql/`` (to compare a change).

    .venv/bin/python benchmarks/bench_metrics.py [--responses 1000000] [--repeats 3] [--sql-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def months_before(today: date, count: int) -> list[str]:
    """The ``count`` calendar months ending with the month before ``today``."""
    index = today.year * 12 + today.month - 2
    return [f"{i // 12}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def build(warehouse: Path, responses: int, months: int, seed: int) -> None:
    """A warehouse of ``responses`` generated responses over ``months`` months."""
    import numpy as np

    from schemas.delivery import normalise_text, type_rows
    from victim_voice.demo import generate_rows
    from warehouse.comment_codes import code_stored_comments
    from warehouse.db import open_writer

    rng = np.random.default_rng(seed)
    per_month = responses // months
    with open_writer(warehouse) as con:
        for number, month in enumerate(months_before(date.today(), months), start=1):
            text = generate_rows(per_month, month, rng, first_id=1 + (number - 1) * per_month, short_quota=None)
            typed = type_rows(normalise_text(text.astype("str")))
            pseudonyms = [f"{number:08x}{row:056x}" for row in range(per_month)]  # 64 hex digits, as stored
            versions = typed.drop(columns=["crime_reference"]).assign(
                delivery_id=number, row_number=range(1, per_month + 1), crime_reference_pseudonym=pseudonyms
            )
            con.register("versions", versions)
            con.execute(
                "insert into audit.deliveries (delivery_id, file_name, sha256, period, seq, status, rows_in_file,"
                " rows_loaded, rows_quarantined, rows_corrected, processed_at)"
                " values (?, ?, ?, ?, 1, 'LOADED', ?, ?, 0, 0, ?)",
                [number, f"VictimVoice_{month}_01.csv", f"bench{number}", month, per_month, per_month, datetime.now()],
            )
            con.execute("insert into core.response_versions by name select * from versions")
            con.unregister("versions")
            add_recorded_crime(con, months + number, month, rng)
        started = time.perf_counter()
        coded = code_stored_comments(con)  # as each month's run would have: the refresh then codes nothing new
        took = time.perf_counter() - started
        print(f"coded {coded:,} comments into themes in {took:.1f} s (what re-coding them all costs)")


def add_recorded_crime(con, delivery_id: int, month: str, rng) -> None:
    """The force's counts for ``month`` (as the demo's), so the refresh weights every window."""
    import pandas as pd

    from victim_voice.demo.recorded_crime import monthly_counts

    counts = pd.DataFrame(monthly_counts(month, rng), columns=["month", "area", "crime_group", "victims"])
    counts = counts.assign(delivery_id=delivery_id, row_number=range(1, len(counts) + 1))
    con.execute(
        "insert into audit.deliveries (delivery_id, file_name, sha256, period, seq, status, rows_in_file,"
        " rows_loaded, rows_quarantined, rows_corrected, processed_at, kind)"
        " values (?, ?, ?, ?, 1, 'LOADED', ?, ?, 0, 0, ?, 'RECORDED_CRIME')",
        [delivery_id, f"RecordedCrime_{month}_01.csv", f"counts{delivery_id}", month, len(counts), len(counts),
         datetime.now()],
    )  # fmt: skip
    con.execute("insert into core.recorded_victims by name select * from counts")


def refresh_once(warehouse: Path, sql_dir: Path | None) -> dict:
    """Run one refresh in this process; wall time and peak RSS."""
    from warehouse.db import open_writer
    from warehouse.models import refresh_models
    from warehouse.sql_files import SQL_DIR

    started = time.perf_counter()
    with open_writer(warehouse) as con:
        refresh_models(con, sql_dir or SQL_DIR)
        cells = con.sql("select count(*) from marts.metric_values").fetchall()[0][0]
        refreshed = time.perf_counter()
        # a view: every weighted cell computed once, as a reader taking them all would
        [(has_weighted,)] = con.sql(
            "select count(*) from duckdb_views() where view_name = 'weighted_metric_values'"
        ).fetchall()
        weighted = con.sql("select count(*) from marts.weighted_metric_values").fetchall()[0][0] if has_weighted else 0
    return {
        "seconds": refreshed - started,
        "weighted_seconds": time.perf_counter() - refreshed,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cells": cells,
        "weighted_cells": weighted,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sql-dir", type=Path, help="refresh with this copy of sql/ (default: the project's)")
    parser.add_argument("--refresh-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.refresh_only:
        print(json.dumps(refresh_once(args.refresh_only, args.sql_dir)))
        return
    sql_dir = ["--sql-dir", str(args.sql_dir)] if args.sql_dir else []
    with tempfile.TemporaryDirectory() as folder:
        warehouse = Path(folder) / "bench.duckdb"
        started = time.perf_counter()
        build(warehouse, args.responses, args.months, seed=1)
        print(f"built {args.responses:,} responses over {args.months} months in {time.perf_counter() - started:.1f} s")
        runs = [
            json.loads(
                subprocess.run(
                    [sys.executable, __file__, "--refresh-only", str(warehouse), *sql_dir],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            )
            for _ in range(args.repeats)
        ]
    seconds = statistics.median(r["seconds"] for r in runs)
    memory = statistics.median(r["peak_rss_mb"] for r in runs)
    each = ", ".join(f"{r['seconds']:.2f}" for r in runs)
    print(
        f"metrics refresh: median {seconds:.2f} s, peak RSS {memory:.0f} MB, {runs[0]['cells']:,} cells,"
        f" {runs[0]['weighted_cells']:,} weighted"
    )
    print(f"  ({args.repeats} runs: {each} s)")
    weighted = statistics.median(r["weighted_seconds"] for r in runs)
    print(f"reading every weighted cell (marts.weighted_metric_values, a view): median {weighted:.2f} s")


if __name__ == "__main__":
    main()
