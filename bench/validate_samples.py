"""Fidelity of the discovered models on the sample logs (issue 4's protocol), as a Markdown table.

    .venv/bin/python bench/validate_samples.py                       # every log below, 10 replications
    .venv/bin/python bench/validate_samples.py --logs PurchasingExample.csv.gz --replications 3
    .venv/bin/python bench/validate_samples.py --json bench/data/validate_samples.json

For each log: chronological 70/30 split by activity instances (cases cut by the split
dropped), discovery on the first part, ``--replications`` simulations of the test period
(as many cases as it holds, starting empty at the split) and the ``log-distance-measures``
figures of each replication against the test part (``sim.validate.validate_log``). The
table gives mean +- standard deviation over the replications; times are wall-clock
seconds of one run on this machine (other work on it makes them noisy).

Real logs are the flat event logs of sample_logs/ with enough complete cases on both sides
of the split: running-example.xes (6 cases) is too small, PurchasingExample.xes.gz is the
same log as the CSV, and the object-centric (OCEL) files are not flat logs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from datetime import date
from pathlib import Path

import sc_improve as sci
from sc_improve.errors import AnalysisError
from sim.validate import ValidationReport, validate_log

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_logs"
REAL_LOGS = (
    "PurchasingExample.csv.gz",
    "08_receipt.xes.gz",
    "03_repairExample.xes.gz",
    "interval_event_log.csv",
    "ap_ar_doc_flow_transactions.csv",
)
GENERATED_LOGS = ("p2p_generated.csv", "o2c_generated.csv", "production_generated.csv")
COLUMNS = (
    ("n_gram_distance", "3-gram", 3),
    ("cycle_time_emd_hours", "cycle time EMD h", 1),
    ("absolute_event_emd_hours", "absolute EMD h", 1),
    ("relative_event_emd_hours", "relative EMD h", 1),
    ("circadian_event_emd_hours", "circadian EMD h", 2),
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--logs", nargs="*", default=[*REAL_LOGS, *GENERATED_LOGS])
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--processes", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write every report as JSON here")
    args = parser.parse_args()

    reports: dict[str, ValidationReport] = {}
    skipped: dict[str, str] = {}
    for name in args.logs:
        log = sci.read_log(SAMPLES / name)
        try:
            reports[name] = validate_log(
                log, replications=args.replications, seed=args.seed, processes=args.processes
            )
        except AnalysisError as error:
            skipped[name] = str(error)
        print(f"done: {name}", flush=True)
    print()
    print(
        f"{date.today().isoformat()}, {platform.machine()} with {os.cpu_count()} cores, "
        f"{args.replications} replications, seed {args.seed}"
    )
    print()
    print(table(reports))
    for name, reason in skipped.items():
        print(f"\n`{name}`: not validated, {reason}.")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({k: v.to_dict() for k, v in reports.items()}, indent=2))


def table(reports: dict[str, ValidationReport]) -> str:
    header = [
        "log",
        "cases train/test (dropped)",
        *(title for _, title, _ in COLUMNS),
        "verdict",
        "s discover/simulate",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, report in reports.items():
        cells = [f"`{name}`", f"{report.train_cases}/{report.test_cases} ({report.dropped_cases})"]
        for key, _, digits in COLUMNS:
            summary = report.measures[key]
            cells.append(f"{summary.mean:,.{digits}f} ± {summary.std:,.{digits}f}")
        cells.append(report.verdict.splitlines()[0].removeprefix("Overall: ").split(" (")[0])
        cells.append(f"{report.seconds['discovery']:.2f} / {report.seconds['simulation']:.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
