"""Where the time of the core path goes, step by step, on one log.

    .venv/bin/python bench/profile_core.py bench/data/p2p_1000000.csv

Runs the benchmark's path twice in this process (the second run is the one to read,
with caches such as the OS file cache warm) and prints the time of each step.
"""

from __future__ import annotations

import sys
import time

import sklearn.tree  # noqa: F401  imported lazily by the drivers model; keep it out of the timings

from sc_improve.discovery.dfg import discover_map
from sc_improve.log.read import read_log
from sc_improve.performance.bottlenecks import find_bottlenecks


def main(path: str) -> None:
    for run in (1, 2):
        started = time.perf_counter()
        log = read_log(path)
        read = time.perf_counter()
        discover_map(log)
        mapped = time.perf_counter()
        find_bottlenecks(log)
        done = time.perf_counter()
        print(
            f"run {run}: read_log {read - started:.3f} s, discover_map {mapped - read:.3f} s, "
            f"find_bottlenecks {done - mapped:.3f} s, total {done - started:.3f} s"
        )


if __name__ == "__main__":
    main(sys.argv[1])
