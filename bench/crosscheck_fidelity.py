"""Cross-check sim.fidelity against the log-distance-measures package (v2.2.0) it reimplements.

    .venv/bin/python bench/crosscheck_fidelity.py            # all pairs, package and ours
    .venv/bin/python bench/crosscheck_fidelity.py --repeat 5 # best of 5 timings

The package needs pandas < 3, so it runs in its own virtual environment: /tmp/ldmtest if
it is there, otherwise bench/.ldm-venv (created on first use with
``python3 -m venv`` + ``pip install log-distance-measures==2.2.0``; gitignored).

Each pair of logs is written once as CSV (case_id, activity, start_time, end_time; UTC
ISO 8601; a missing start written as the end, our convention for instantaneous events).
The package side reads the CSVs as the published evaluation notebooks do
(``pd.to_datetime(..., utc=True)``) and calls the five measures with the protocol's
arguments; our side gets the very frames that were written. The table prints both values
and their difference, and the best-of-N wall time of all five measures per side
(package: inside its process, after reading; ours: ``compare_logs`` on the frames).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sc_improve.columns import ACTIVITY, CASE, END, START  # noqa: E402
from sc_improve.generate import generate_log  # noqa: E402
from sc_improve.log.read import log_from_frame, read_log  # noqa: E402
from sim.fidelity import compare_logs  # noqa: E402

PACKAGE_VERSION = "2.2.0"
PACKAGE_VENVS = (Path("/tmp/ldmtest"), ROOT / "bench" / ".ldm-venv")
MEASURES = (
    ("NGD", "3-gram distance", "n_gram_distance"),
    ("AEDD", "absolute event EMD (h)", "absolute_event_emd_hours"),
    ("CEDD", "circadian event EMD (h)", "circadian_event_emd_hours"),
    ("REDD", "relative event EMD (h)", "relative_event_emd_hours"),
    ("CTDD", "cycle-time EMD (1-h bins)", "cycle_time_emd_hours"),
)

PACKAGE_SIDE = """
import json, sys, time
import pandas as pd
from log_distance_measures.config import EventLogIDs, AbsoluteTimestampType, discretize_to_hour
from log_distance_measures.n_gram_distribution import n_gram_distribution_distance
from log_distance_measures.absolute_event_distribution import absolute_event_distribution_distance
from log_distance_measures.circadian_event_distribution import circadian_event_distribution_distance
from log_distance_measures.relative_event_distribution import relative_event_distribution_distance
from log_distance_measures.cycle_time_distribution import cycle_time_distribution_distance

ids = EventLogIDs(case="case_id", activity="activity", start_time="start_time", end_time="end_time")
both = AbsoluteTimestampType.BOTH

def read(path):
    frame = pd.read_csv(path, dtype={"case_id": str, "activity": str})
    for column in ("start_time", "end_time"):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame

def measures(a, b):
    return {
        "NGD": n_gram_distribution_distance(a, ids, b, ids, n=3),
        "AEDD": absolute_event_distribution_distance(a, ids, b, ids, discretize_type=both,
                                                     discretize_event=discretize_to_hour),
        "CEDD": circadian_event_distribution_distance(a, ids, b, ids, discretize_type=both),
        "REDD": relative_event_distribution_distance(a, ids, b, ids, discretize_type=both,
                                                     discretize_event=discretize_to_hour),
        "CTDD": cycle_time_distribution_distance(a, ids, b, ids, bin_size=pd.Timedelta(hours=1)),
    }

results = {}
for name, (first, second, repeat) in json.loads(sys.argv[1]).items():
    a, b = read(first), read(second)
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        values = measures(a, b)
        times.append(time.perf_counter() - began)
    results[name] = {"values": values, "seconds": min(times)}
print(json.dumps(results))
"""


def package_python() -> Path:
    """Python of a venv with the package, creating bench/.ldm-venv when none exists."""
    for venv in PACKAGE_VENVS:
        python = venv / "bin" / "python"
        if python.exists() and _has_package(python):
            return python
    venv = PACKAGE_VENVS[-1]
    subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", f"log-distance-measures=={PACKAGE_VERSION}"], check=True
    )
    return venv / "bin" / "python"


def _has_package(python: Path) -> bool:
    check = (
        f"import importlib.metadata as m; assert m.version('log-distance-measures') == {PACKAGE_VERSION!r}"
    )
    return subprocess.run([str(python), "-c", check], capture_output=True).returncode == 0


def canonical_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Case, activity, start and end only; a missing start becomes the end (instantaneous event)."""
    slim = frame[[CASE, ACTIVITY, END]].copy()
    slim[START] = frame[START].fillna(frame[END]) if START in frame.columns else frame[END]
    return slim.reset_index(drop=True)


def split_cases(frame: pd.DataFrame, chronological: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two halves by case: the first and second half of case arrivals, or alternate arrivals."""
    arrivals = frame.groupby(CASE, sort=False)[START].min().sort_values(kind="stable")
    cases = arrivals.index.to_numpy()
    first = cases[: len(cases) // 2] if chronological else cases[::2]
    in_first = frame[CASE].isin(first)
    return frame[in_first], frame[~in_first]


def perturbed(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """A noisy copy: cases delayed 0-72 h, events jittered, 5% dropped, 3% relabelled."""
    rng = np.random.default_rng(seed)
    case_codes, cases = pd.factorize(frame[CASE])
    case_shift = pd.to_timedelta(rng.uniform(0, 72, len(cases))[case_codes], unit="h")
    event_shift = pd.to_timedelta(rng.exponential(2.0, len(frame)), unit="h")
    copy = frame.copy()
    copy[START] = copy[START] + case_shift + event_shift
    copy[END] = copy[END] + case_shift + event_shift
    activities = np.asarray(copy[ACTIVITY].unique(), dtype=object)
    relabel = rng.random(len(copy)) < 0.03
    copy.loc[relabel, ACTIVITY] = rng.choice(activities, int(relabel.sum()))
    return copy[rng.random(len(copy)) >= 0.05]


def build_pairs() -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    purchasing = canonical_columns(read_log(ROOT / "sample_logs" / "PurchasingExample.csv.gz").frame)
    p2p = canonical_columns(log_from_frame(generate_log("p2p", events=20_000, seed=3)).frame)
    p2p_other = canonical_columns(log_from_frame(generate_log("p2p", events=20_000, seed=4)).frame)
    o2c = canonical_columns(log_from_frame(generate_log("o2c", events=5_000, seed=3)).frame)
    shifted = p2p.copy()
    shifted[START] = shifted[START] + pd.Timedelta(hours=5)
    shifted[END] = shifted[END] + pd.Timedelta(hours=5)
    return {
        "Purchasing: 1st vs 2nd half of cases": split_cases(purchasing, chronological=True),
        "Purchasing: odd vs even cases": split_cases(purchasing, chronological=False),
        "p2p 20k vs perturbed copy": (p2p, perturbed(p2p, seed=5)),
        "p2p 20k vs same shifted +5 h": (p2p, shifted),
        "p2p seed 3 vs p2p seed 4": (p2p, p2p_other),
        "p2p 20k vs o2c 5k": (p2p, o2c),
    }


def run_package(pairs: dict[str, tuple[pd.DataFrame, pd.DataFrame]], folder: Path, repeat: int) -> dict:
    jobs = {}
    for index, (name, (first, second)) in enumerate(pairs.items()):
        paths = [folder / f"pair{index}_{side}.csv" for side in ("original", "simulated")]
        for frame, path in zip((first, second), paths, strict=True):
            frame.rename(
                columns={CASE: "case_id", ACTIVITY: "activity", START: "start_time", END: "end_time"}
            ).to_csv(path, index=False, date_format="%Y-%m-%dT%H:%M:%S.%f%z")
        jobs[name] = [str(paths[0]), str(paths[1]), repeat]
    output = subprocess.run(
        [str(package_python()), "-c", PACKAGE_SIDE, json.dumps(jobs)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def run_ours(first: pd.DataFrame, second: pd.DataFrame, repeat: int) -> tuple[dict[str, float], float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        report = compare_logs(first, second)
        times.append(time.perf_counter() - began)
    values = report.to_dict()
    return {short: values[field] for short, _, field in MEASURES}, min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timing runs per side (best is reported)")
    args = parser.parse_args()
    pairs = build_pairs()
    with tempfile.TemporaryDirectory() as folder:
        theirs = run_package(pairs, Path(folder), args.repeat)
    print("| pair | events | measure | package 2.2.0 | sim.fidelity | difference |")
    print("| --- | --- | --- | ---: | ---: | ---: |")
    timings = []
    worst = 0.0
    for name, (first, second) in pairs.items():
        ours, our_seconds = run_ours(first, second, args.repeat)
        sizes = f"{len(first):,} / {len(second):,}"
        for short, label, _ in MEASURES:
            reference = theirs[name]["values"][short]
            difference = ours[short] - reference
            worst = max(worst, abs(difference))
            values = f"{reference:.6f} | {ours[short]:.6f} | {difference:.1e}"
            print(f"| {name} | {sizes} | {short}: {label} | {values} |")
        timings.append((name, theirs[name]["seconds"], our_seconds))
    print(f"\nlargest absolute difference: {worst:.1e}\n")
    print("| pair | package, all five (s) | sim.fidelity compare_logs (s) | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for name, package_seconds, our_seconds in timings:
        ratio = package_seconds / our_seconds
        print(f"| {name} | {package_seconds:.3f} | {our_seconds:.4f} | {ratio:.0f}x |")


if __name__ == "__main__":
    main()
