"""The ``simulate`` and ``validate`` subcommands of ``sc-improve``.

The core CLI (``sc_improve.cli``) must not import ``sim`` (layers: gui -> sim -> core), so
it finds these commands through the ``sc_improve.cli_commands`` entry-point group, which
``pyproject.toml`` points at :func:`register`. This module imports only argparse-level
things at import time; the simulation modules load when a command runs.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sc_improve.atomic import write_atomically, write_text_atomically
from sc_improve.cli import _load, _log_command, _tell
from sc_improve.cli_progress import TerminalProgress

if TYPE_CHECKING:
    from sim.compare import Comparison, Difference, Estimate, ScenarioResult
    from sim.model import SimulationModel
    from sim.scenarios import Scenario

DEFAULT_DAYS = 365.0
DEFAULT_REPLICATIONS = 10
WAITING_ROWS = 8
"""Activities with the longest baseline waiting shown in the tables (the JSON has all)."""
EXPORT_COLUMNS = {
    "case:concept:name": "case_id",
    "concept:name": "activity",
    "start_timestamp": "start_time",
    "time:timestamp": "end_time",
    "org:resource": "resource",
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|min|m|h|d|w)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1.0, "sec": 1.0, "min": 60.0, "m": 60.0, "h": 3600.0, "d": 86_400.0, "w": 604_800.0}


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``simulate`` and ``validate`` to the ``sc-improve`` command parser."""
    simulate = _log_command(
        commands, "simulate", "simulate the process and compare what-if scenarios", run_simulate
    )
    _make_log_optional(simulate)
    simulate.add_argument(
        "--model", metavar="FILE", help="read the model from this .yaml/.json file instead of discovering it"
    )
    simulate.add_argument(
        "--scenario", metavar="FILE", action="append", default=[], help="scenario file (YAML); repeatable"
    )
    simulate.add_argument(
        "--automate-top",
        type=int,
        default=0,
        metavar="N",
        help="add the N best automation candidates of LOG as ready-made scenarios",
    )
    simulate.add_argument("--replications", type=int, default=DEFAULT_REPLICATIONS, metavar="R")
    simulate.add_argument("--seed", type=int, default=0, metavar="S")
    horizon = simulate.add_mutually_exclusive_group()
    horizon.add_argument("--cases", type=int, metavar="N", help="simulate N arriving cases until all finish")
    horizon.add_argument(
        "--days", type=float, metavar="D", help=f"simulate D days (default {DEFAULT_DAYS:g} without --cases)"
    )
    simulate.add_argument(
        "--from",
        dest="start",
        metavar="TIMESTAMP",
        help="start of the simulation (default: where the log ends)",
    )
    simulate.add_argument(
        "--warmup-days",
        type=float,
        default=0.0,
        metavar="W",
        help="days simulated before measuring (default 0)",
    )
    simulate.add_argument(
        "--target-lead-time",
        type=parse_duration,
        metavar="DURATION",
        help="report the share of cases done within this time, e.g. 30d, 36h, 2w",
    )
    simulate.add_argument(
        "--json", metavar="OUT", help="write the comparison as JSON (contract: docs/CLI.md)"
    )
    simulate.add_argument("--export-log", metavar="DIR", help="write one CSV per model and replication here")
    simulate.add_argument("--export-model", metavar="FILE", help="write the baseline model (.yaml or .json)")
    simulate.add_argument(
        "--processes", type=int, metavar="P", help="worker processes (default: one per core)"
    )

    validate = _log_command(
        commands, "validate", "check how well the discovered model reproduces the log", run_validate
    )
    validate.add_argument("--replications", type=int, default=DEFAULT_REPLICATIONS, metavar="R")
    validate.add_argument("--seed", type=int, default=0, metavar="S")
    validate.add_argument(
        "--processes", type=int, metavar="P", help="worker processes (default: one per core)"
    )
    validate.add_argument(
        "--json", metavar="OUT", help="write the fidelity report as JSON (contract: docs/CLI.md)"
    )


def _make_log_optional(command: argparse.ArgumentParser) -> None:
    """With --model there is nothing to discover, so LOG may be left out."""
    for action in command._actions:
        if action.dest == "log":
            action.nargs = "?"
            action.default = None
            action.help = "event log to discover the model from (optional with --model)"


def parse_duration(text: str) -> float:
    """Seconds from ``30d``, ``36h``, ``90min``, ``2w`` or ``45s``."""
    match = _DURATION.match(text)
    if not match:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a duration: write a number and a unit, e.g. 30d or 36h"
        )
    seconds = float(match[1]) * _UNIT_SECONDS[match[2].lower()]
    if seconds <= 0:
        raise argparse.ArgumentTypeError("the duration must be above 0")
    return seconds


# ----------------------------------------------------------------------------------------- simulate


def run_simulate(args: argparse.Namespace) -> int:
    from sim.compare import compare_scenarios
    from sim.scenarios import load_scenarios
    from sim.serialize import write_model

    _check_simulate_arguments(args)
    scenarios = [scenario for path in args.scenario for scenario in load_scenarios(path)]
    start = _start(args.start)
    model, log = _baseline(args)
    if args.automate_top:
        scenarios.extend(_automation_scenarios(args, log, model))
    if args.export_model:
        write_model(model, args.export_model)
        _tell(args, f"model written to {args.export_model}")
    days = args.days if args.days is not None or args.cases is not None else DEFAULT_DAYS
    exporter = _LogExporter(Path(args.export_log)) if args.export_log else None
    with TerminalProgress("simulating", args.quiet) as progress:
        comparison = compare_scenarios(
            model,
            scenarios,
            replications=args.replications,
            seed=args.seed,
            cases=args.cases,
            days=days,
            start=start,
            warmup_days=args.warmup_days,
            target_lead_time_s=args.target_lead_time,
            processes=args.processes,
            progress=progress,
            on_runs=exporter,
        )
    if args.json:
        contract = {**comparison.to_dict(), "model": {"source": model.source, "notes": list(model.notes)}}
        write_text_atomically(args.json, json.dumps(contract, indent=2, ensure_ascii=False) + "\n")
    if not args.quiet:
        print(format_comparison(comparison, model))
        if exporter:
            print(f"\n{exporter.written} simulated logs written to {args.export_log}")
        if args.json:
            print(f"JSON written to {args.json}")
    return 0


def _check_simulate_arguments(args: argparse.Namespace) -> None:
    if args.log is None and args.model is None:
        raise ValueError("give an event log to discover the model from, or a model file with --model")
    if args.automate_top and args.log is None:
        raise ValueError("--automate-top scores the activities of LOG: give the log too")
    checks = [
        (args.replications < 1, "--replications must be at least 1"),
        (args.cases is not None and args.cases < 1, "--cases must be at least 1"),
        (args.days is not None and not args.days > 0, "--days must be above 0"),
        (not args.warmup_days >= 0, "--warmup-days must not be negative"),
        (args.processes is not None and args.processes < 1, "--processes must be at least 1"),
        (args.automate_top < 0, "--automate-top must not be negative"),
    ]
    for failed, message in checks:
        if failed:
            raise ValueError(message)


def _start(text: str | None) -> str | None:
    if text is None:
        return None
    import pandas as pd

    try:
        stamp = pd.Timestamp(text)
    except ValueError:
        raise ValueError(
            f"--from: '{text}' is not a timestamp (write e.g. 2025-01-06 or 2025-01-06T08:00)"
        ) from None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.isoformat()


def _baseline(args: argparse.Namespace) -> tuple[SimulationModel, Any]:
    """The model from --model, or discovered from LOG; and the log when one was read."""
    from sim.serialize import read_model

    log = None
    if args.log is not None and (args.model is None or args.automate_top):
        with TerminalProgress("importing", args.quiet) as progress:
            log = _load(args, progress)
    if args.model is not None:
        return read_model(args.model), log
    from sim.discover import discover_model

    with TerminalProgress("discovering", args.quiet) as progress:
        discovery = discover_model(log, progress=progress)
    for note in discovery.model.notes:
        _tell(args, f"model: {note}")
    return discovery.model, log


def _automation_scenarios(args: argparse.Namespace, log: Any, model: SimulationModel) -> list[Scenario]:
    from sc_improve.automation import score_automation
    from sim.scenarios import scenarios_from_candidates

    with TerminalProgress("scoring automation", args.quiet) as progress:
        report = score_automation(log, progress=progress)
    scenarios = scenarios_from_candidates(report, model, top=args.automate_top)
    for scenario in scenarios:
        _tell(args, f"scenario '{scenario.name}': {scenario.description}")
    return scenarios


class _LogExporter:
    """Writes each replication's simulated log as CSV: ``<model>_rep<r>.csv``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.written = 0
        self._stems: set[str] = set()

    def __call__(self, name: str, runs: Sequence[Any]) -> None:
        stem = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "scenario"
        while stem in self._stems:
            stem += "_"
        self._stems.add(stem)
        for run in runs:
            frame = export_frame(run.log)
            write_atomically(
                self.folder / f"{stem}_rep{run.replication}.csv",
                lambda path, f=frame: f.to_csv(path, index=False),
            )
            self.written += 1


def export_frame(log: Any) -> Any:
    """The five exchange columns, times as ISO 8601 with UTC offset (e.g. 2025-01-06T08:00:00+00:00)."""
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame(index=log.index)
    for source, target in EXPORT_COLUMNS.items():
        column = log[source]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            instants = column.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[s]")
            text = np.char.add(np.datetime_as_string(instants, unit="s"), "+00:00")
            frame[target] = np.where(column.isna().to_numpy(), "", text)
        else:
            frame[target] = column.astype(object).where(column.notna(), "")
    return frame


# ----------------------------------------------------------------------------------------- tables


def format_comparison(comparison: Comparison, model: SimulationModel) -> str:
    """The readable report: baseline KPIs with intervals, then each scenario against it."""
    horizon = comparison.horizon
    span = f"{horizon['cases']} cases" if horizon["cases"] else f"{horizon['days']:g} days"
    start = horizon["start"] or model.start or "the model's start"
    lines = [
        f"Simulated {span} from {start}, {comparison.replications} replications (seed {comparison.seed}); "
        f"[low, high] = {comparison.confidence:.0%} confidence interval of the mean.",
        "",
        f"Baseline ({comparison.baseline.description})",
    ]
    waiting = _longest_waits(comparison.baseline)
    lines += _table(
        ["KPI", "mean [low, high]"],
        [[label, _estimate_text(e)] for label, e in _rows(comparison.baseline, waiting, comparison)],
    )
    lines += ["", "Waiting before an activity, by cause (mean per instance):"]
    lines += _table(
        ["activity", "total", "busy resources", "off-shift", "extraneous"],
        [
            [activity]
            + [_value(comparison.baseline.estimate(kpi, activity).mean, "s") for kpi in _WAIT_CAUSES]
            for activity in waiting
        ],
    )
    for scenario in comparison.scenarios:
        lines += [
            "",
            f"Scenario '{scenario.name}'" + (f": {scenario.description}" if scenario.description else ""),
        ]
        rows = []
        for label, base in _rows(comparison.baseline, waiting, comparison):
            try:
                difference = scenario.difference(base.kpi, base.subject)
                estimate = scenario.estimate(base.kpi, base.subject)
            except StopIteration:
                rows.append([label, _estimate_text(base), "(gone)", ""])
                continue
            mark = " *" if difference.significant else ""
            rows.append(
                [
                    label,
                    _value(base.mean, base.unit),
                    _estimate_text(estimate),
                    _difference_text(difference) + mark,
                ]
            )
        lines += _table(["KPI", "baseline", "scenario [low, high]", "difference [low, high]"], rows)
    if comparison.scenarios:
        lines += [
            "",
            "* significant: the interval of the paired difference (common random numbers) excludes 0.",
        ]
    return "\n".join(lines)


_WAIT_CAUSES = ("waiting_mean_s", "waiting_busy_s", "waiting_offshift_s", "waiting_extraneous_s")
_LABELS = {
    "cycle_time_mean_s": "cycle time, mean",
    "cycle_time_median_s": "cycle time, median",
    "cycle_time_p90_s": "cycle time, 90th percentile",
    "throughput_per_week": "completed cases per week",
    "wip_mean": "work in progress (cases)",
    "cost_per_case": "cost per case",
    "cost_per_week": "cost per week",
    "within_target_share": "within target lead time",
    "cases_completed": "completed cases",
}


def _longest_waits(baseline: ScenarioResult) -> list[str]:
    waits = [e for e in baseline.estimates if e.kpi == "waiting_mean_s" and e.mean == e.mean]
    return [e.subject for e in sorted(waits, key=lambda e: -e.mean)[:WAITING_ROWS] if e.subject is not None]


def _rows(baseline: ScenarioResult, waiting: list[str], comparison: Comparison) -> list[tuple[str, Estimate]]:
    rows = []
    for estimate in baseline.estimates:
        if estimate.subject is None:
            if estimate.kpi == "within_target_share" and comparison.target_lead_time_s is None:
                continue
            rows.append((_LABELS[estimate.kpi], estimate))
        elif estimate.kpi == "waiting_mean_s" and estimate.subject in waiting:
            rows.append((f"waiting before {estimate.subject}", estimate))
        elif estimate.kpi == "utilisation":
            rows.append((f"utilisation of {estimate.subject}", estimate))
    order = {name: i for i, name in enumerate(waiting)}
    return sorted(
        rows,
        key=lambda row: (
            row[1].subject is not None,
            row[1].kpi == "utilisation",
            order.get(row[1].subject or "", 0),
        ),
    )


def _value(value: float, unit: str) -> str:
    from sc_improve.units import human_duration

    if value != value:
        return "n/a"
    if unit == "s":
        return human_duration(0.0 if abs(value) < 0.05 else value)  # float noise would read "-0 s"
    if unit == "share":
        return f"{value:.1%}"
    return f"{value:,.2f}" if unit == "cost" else f"{value:,.1f}"


def _estimate_text(estimate: Estimate) -> str:
    text = _value(estimate.mean, estimate.unit)
    if estimate.ci_low == estimate.ci_low:
        text += f" [{_value(estimate.ci_low, estimate.unit)}, {_value(estimate.ci_high, estimate.unit)}]"
    return text


def _difference_text(difference: Difference) -> str:
    unit = difference.unit
    sign = "+" if difference.mean > 0 else ""
    if unit == "share":
        text = f"{difference.mean * 100:+.1f} pp"
        bounds = f"{difference.ci_low * 100:+.1f}, {difference.ci_high * 100:+.1f}"
    else:
        text = sign + _value(difference.mean, unit)
        bounds = f"{_value(difference.ci_low, unit)}, {_value(difference.ci_high, unit)}"
    if difference.relative == difference.relative and unit != "share":
        text += f" ({difference.relative:+.1%})"
    return f"{text} [{bounds}]" if difference.ci_low == difference.ci_low else text


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
        for row in [header, *rows]
    ]


# ----------------------------------------------------------------------------------------- validate


def run_validate(args: argparse.Namespace) -> int:
    from sim.validate import validate_log

    if args.replications < 1:
        raise ValueError("--replications must be at least 1")
    if args.processes is not None and args.processes < 1:
        raise ValueError("--processes must be at least 1")
    with TerminalProgress("importing", args.quiet) as progress:
        log = _load(args, progress)
    with TerminalProgress("validating", args.quiet) as progress:
        report = validate_log(
            log, replications=args.replications, seed=args.seed, processes=args.processes, progress=progress
        )
    if args.json:
        write_text_atomically(args.json, json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    if not args.quiet:
        print(
            f"Trained on {report.train_cases} cases up to {report.split_at}, simulated the "
            f"{report.test_cases} held-out cases {report.replications} times (seed {report.seed}); "
            f"{report.dropped_cases} cases cut by the split left out."
        )
        print(
            "\n".join(
                _table(
                    ["measure", "mean", "std", "min", "max"],
                    [
                        [name, *(f"{getattr(m, part):.3f}" for part in ("mean", "std", "low", "high"))]
                        for name, m in report.measures.items()
                    ],
                )
            )
        )
        print(f"\nVerdict: {report.verdict}")
        for note in report.notes:
            print(f"note: {note}")
        if args.json:
            print(f"JSON written to {args.json}")
    return 0
