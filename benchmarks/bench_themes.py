"""Benchmark: coding comments into themes and sentiment (targets: a month under 0.2 s, 200,000 under a minute).

1. A month: MONTH comments (default 170, about a month's comments) coded in a fresh process,
   timed from before the classifier is imported (its regular expressions compiled, VADER's
   lexicon and the sentiment weights read) to the last comment: what the monthly run adds.
2. Bulk: BULK comments (default 200,000) coded by WORKERS processes (default 2), wall clock
   from starting the workers to the last result.

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
import time
from itertools import cycle, islice
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from victim_voice.themes.training import load  # noqa: E402 - after the path is set

MONTH_SCRIPT = """
import json, sys, time
start = time.perf_counter()
from victim_voice.themes.classifier import classify
texts = json.load(open(sys.argv[1], encoding="utf-8"))
codes = [classify(text) for text in texts]
print(time.perf_counter() - start)
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


def _code_chunk(chunk: list[str]) -> tuple[int, float]:
    """Comments coded and the CPU seconds it took this process."""
    from victim_voice.themes.classifier import classify

    start = time.process_time()
    coded = sum(1 for text in chunk if classify(text).sentiment)
    return coded, time.process_time() - start


def bulk_seconds(count: int, workers: int) -> tuple[float, float]:
    """Wall-clock seconds for ``workers`` processes to code ``count`` comments, and the CPU seconds
    they spent coding (what a machine with ``workers`` idle cores would take: CPU / workers)."""
    comments = texts(count)
    chunks = [comments[i : i + 2000] for i in range(0, count, 2000)]
    start = time.perf_counter()
    with get_context("spawn").Pool(workers) as pool:
        results = list(pool.imap_unordered(_code_chunk, chunks))
    assert sum(coded for coded, _ in results) == count
    return time.perf_counter() - start, sum(cpu for _, cpu in results)


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
