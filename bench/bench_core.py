"""Core benchmark: our import + map + bottlenecks against pm4py's own path, side by side.

    .venv/bin/python bench/bench_core.py                 # 100k, 1M and 5M events
    .venv/bin/python bench/bench_core.py --sizes 100k 1m # a subset
    .venv/bin/python bench/bench_core.py --xes 1m        # also the XES import comparison
    .venv/bin/python bench/bench_core.py --sizes 1m --baseline HEAD~3   # also our path at another commit

For every size a seeded P2P log is generated once into bench/data/ (CSV, and XES for
--xes). Each measured path then runs in a fresh Python process so that its peak memory
(ru_maxrss) is its own and no cache carries over; the wall time is measured inside that
process after the imports (for both paths; that includes what our code imports lazily),
from opening the file to having the results in memory:

* ours:  sc_improve.read_log(csv) + discover_map (frequency and performance) + find_bottlenecks
* pm4py: pandas.read_csv + pm4py.format_dataframe + pm4py.discover_performance_dfg

Each path runs --repeat times (default 3) and the best time is reported, as is usual for
throughput benchmarks on a shared machine. The table prints both times, the ratio
pm4py/ours and both peak memories. With --baseline REV our path also runs with the code
of that git revision (checked out into a temporary worktree and put first on the
import path), alternating with the current code, so a change is measured against its
predecessor in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
SIZES = {"100k": 100_000, "1m": 1_000_000, "5m": 5_000_000}

OURS = """
import time, resource, json, sys
import sklearn.tree  # imported lazily by the cycle-time drivers; imports are never timed
from sc_improve.log.read import read_log
from sc_improve.discovery.dfg import discover_map
from sc_improve.performance.bottlenecks import find_bottlenecks
t0 = time.perf_counter()
log = read_log(sys.argv[1])
process_map = discover_map(log)
report = find_bottlenecks(log)
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "events": log.n_events, "edges": len(process_map.edges),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PM4PY = """
import time, resource, json, sys, warnings
warnings.filterwarnings("ignore")
import pandas as pd
import pm4py
t0 = time.perf_counter()
df = pd.read_csv(sys.argv[1])
df = pm4py.format_dataframe(df, case_id="case_id", activity_key="activity", timestamp_key="end_time",
                            start_timestamp_key="start_time")
dfg = pm4py.discover_performance_dfg(df)
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "events": len(df), "edges": len(dfg[0]),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

OURS_XES = """
import time, resource, json, sys
from sc_improve.log.read import read_log
t0 = time.perf_counter()
log = read_log(sys.argv[1])
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "events": log.n_events,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PM4PY_XES = """
import time, resource, json, sys, warnings
warnings.filterwarnings("ignore")
import pm4py
t0 = time.perf_counter()
df = pm4py.read_xes(sys.argv[1], variant=sys.argv[2])
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "events": len(df),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def ensure_log(events: int, suffix: str) -> Path:
    """Generate the seeded P2P log of this size once and keep it for later runs."""
    from sc_improve.generate import generate_log, write_log

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"p2p_{events}{suffix}"
    if not path.exists():
        print(f"generating {path.name} ...", file=sys.stderr, flush=True)
        write_log(generate_log("p2p", events=events, seed=42), path)
    return path


def measure(script: str, *args: str, repeat: int) -> dict[str, float]:
    """Best of ``repeat`` fresh-process runs of ``script``; peak memory of the best run."""
    return _best([_run(script, args, None) for _ in range(repeat)])


def measure_pair(script: str, *args: str, repeat: int, baseline: Path) -> tuple[dict, dict]:
    """Best runs of the current code and of ``baseline``'s, alternating, so drift hits both alike."""
    current, before = [], []
    for _ in range(repeat):
        before.append(_run(script, args, baseline))
        current.append(_run(script, args, None))
    return _best(current), _best(before)


def _best(runs: list[dict[str, float]]) -> dict[str, float]:
    return min(runs, key=lambda run: run["seconds"])


def _run(script: str, args: tuple[str, ...], code: Path | None) -> dict[str, float]:
    """One fresh-process run; ``code``: a checkout whose packages are imported instead of ours."""
    environment = dict(os.environ)
    if code is not None:
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), environment.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env=environment,
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark run failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextmanager
def checkout(revision: str | None) -> Iterator[Path | None]:
    """A temporary git worktree of ``revision`` (None: nothing), removed afterwards."""
    if revision is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="sc-improve-baseline-") as scratch:
        target = Path(scratch) / "code"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "-q", str(target), revision], cwd=ROOT, check=True
        )
        try:
            yield target
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(target)], cwd=ROOT, check=False)


def print_row(size: str, ours: dict[str, float], theirs: dict[str, float]) -> None:
    ratio = theirs["seconds"] / ours["seconds"]
    print(
        f"{size:>8} | {ours['seconds']:7.2f} | {theirs['seconds']:7.2f} | {ratio:5.1f}x | "
        f"{ours['peak_mb']:8.0f} | {theirs['peak_mb']:8.0f}",
        flush=True,
    )


def machine() -> str:
    import os

    cpu = platform.processor() or platform.machine()
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", nargs="*", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--xes", nargs="*", default=[], choices=list(SIZES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--baseline", metavar="REV", help="also time our path with the code of this git revision"
    )
    args = parser.parse_args()

    print(f"# sc-improve core benchmark, {date.today()}, {machine()}")
    print(f"{'events':>8} | {'ours s':>7} | {'pm4py s':>7} | {'ratio':>6} | {'ours MB':>8} | {'pm4py MB':>8}")
    with checkout(args.baseline) as baseline:
        for size in args.sizes:
            csv = ensure_log(SIZES[size], ".csv")
            if baseline is None:
                ours = measure(OURS, str(csv), repeat=args.repeat)
            else:
                ours, before = measure_pair(OURS, str(csv), repeat=args.repeat, baseline=baseline)
            print_row(size, ours, measure(PM4PY, str(csv), repeat=args.repeat))
            if baseline is not None:
                print(
                    f"{'':>8}   at {args.baseline}: {before['seconds']:.2f} s, {before['peak_mb']:.0f} MB "
                    f"(now {ours['seconds'] / before['seconds']:.0%} of its time)",
                    flush=True,
                )
    if args.xes:
        print("\n# XES import (start/complete pairs, so 2 XES events per instance): ours vs pm4py with r4pm")
        print(
            f"{'events':>8} | {'ours s':>7} | {'r4pm s':>7} | {'ratio':>6} | {'ours MB':>8} | {'r4pm MB':>8}"
        )
        for size in args.xes:
            xes = ensure_log(SIZES[size], ".xes")
            print_row(
                size, measure(OURS_XES, str(xes), repeat=1), measure(PM4PY_XES, str(xes), "r4pm", repeat=1)
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
