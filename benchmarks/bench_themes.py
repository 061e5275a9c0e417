"""Benchmark: coding comments into themes and sentiment (targets: a month under 0.2 s, 200,000 under a minute).

1. A month: MONTH comments (default 170, about a month's comments) coded in a fresh process,
   timed from before the classifier is imported (its regular expressions compiled, VADER's
   lexicon and the sentiment weights read) to the last comment: what the monthly run adds.
2. Bulk: BULK comments (default 200,000) coded by ``classify_many(texts, workers=WORKERS)``
   (default 2 processes), wall clock from the call to the last result, in order.

The comments are the labelled set's texts, cycled (the classifier keeps no cache, so repeats
cost as much as new text). Each measurement runs REPEATS times (median).

    .venv/bin/python benchmarks/bench_themes.py [--month 170] [--bulk 200000] [--workers 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from victim_voice.themes.training import load  # noqa: E402 - after the path is set

MONTH_SCRIPT = """
import json, sys, time
start = time.perf_counter()
from victim_voice.themes.classifier import classify_many
texts = json.load(open(sys.argv[1], encoding="utf-8"))
codes = classify_many(texts)
print(time.perf_counter() - start)
"""
BULK_SCRIPT = """
import json, resource, sys, time
from victim_voice.themes.classifier import classify_many
texts, workers = json.load(open(sys.argv[1], encoding="utf-8")), int(sys.argv[2])
start = time.perf_counter()
codes = classify_many(texts, workers=workers)
wall = time.perf_counter() - start
assert len(codes) == len(texts)
usage = resource.getrusage(resource.RUSAGE_CHILDREN if workers > 1 else resource.RUSAGE_SELF)
print(wall, usage.ru_utime + usage.ru_stime)
"""


def texts(count: int) -> list[str]:
    return list(islice(cycle(row["text"] for row in load()), count))


def month_seconds(count: int) -> float:
    """Seconds for a fresh process to import the classifier and code ``count`` comments."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "month.json"
        path.write_text(json.dumps(texts(count)), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-c", MONTH_SCRIPT, str(path)], capture_output=True, text=True, check=True, env=env
        )
    return float(done.stdout.strip())


def bulk_seconds(count: int, workers: int) -> tuple[float, float]:
    """Wall-clock seconds for ``classify_many`` to code ``count`` comments in ``workers`` processes,
    and the CPU seconds they spent coding (what ``workers`` idle cores would take: CPU / workers)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bulk.json"
        path.write_text(json.dumps(texts(count)), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-c", BULK_SCRIPT, str(path), str(workers)]
        done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    wall, cpu = map(float, done.stdout.split())
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--month", type=int, default=170)
    parser.add_argument("--bulk", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    month = statistics.median(month_seconds(args.month) for _ in range(args.repeats))
    print(f"a month ({args.month} comments, fresh process, import included): {month:.3f} s (target < 0.2 s)")
    runs = [bulk_seconds(args.bulk, args.workers) for _ in range(args.repeats)]
    wall, cpu = statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)
    print(f"{args.bulk:,} comments on {args.workers} processes: {wall:.1f} s wall (target < 60 s)")
    print(f"  {cpu:.1f} CPU s, {cpu / args.bulk * 1e6:.0f} us a comment: {cpu / args.workers:.1f} s on idle cores")
    print(f"  load average after: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work slows the wall clock)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
