"""Resident memory of the core path, phase by phase: what the log holds while it is analysed.

    .venv/bin/python bench/memory_phases.py bench/data/p2p_5000000.csv

``ru_maxrss`` gives only the overall peak. Here a thread samples the process's resident
set every 5 ms while the benchmark's path runs (read_log, discover_map,
find_bottlenecks) and prints the highest value seen in each phase, and what is still
resident once the log and the results are all that is left.
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time

import sklearn.tree  # noqa: F401  imported lazily by the drivers model; keep its import out of the phases

from sc_improve.discovery.dfg import discover_map
from sc_improve.log.read import read_log
from sc_improve.performance.bottlenecks import find_bottlenecks

PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_MB


def main(path: str) -> None:
    phase = ["start"]
    highest: dict[str, float] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            highest[phase[0]] = max(highest.get(phase[0], 0.0), resident_mb())
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    phase[0] = "read_log"
    log = read_log(path)
    phase[0] = "discover_map"
    process_map = discover_map(log)
    phase[0] = "find_bottlenecks"
    report = find_bottlenecks(log)
    phase[0] = "after (log and results kept)"
    time.sleep(0.05)
    done.set()
    sampler.join()
    print(f"{log.n_events:,} events, {len(process_map.edges)} map edges, {len(report.items)} bottlenecks")
    for name, megabytes in highest.items():
        print(f"{name:>30}: {megabytes:7.0f} MB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'overall peak (ru_maxrss)':>30}: {peak:7.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1])
