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
from sc_improve.cli_progress import TerminalProgress
from sc_improve.cli_support import load_log, log_command, tell
from sc_improve.errors import UsageError
from sim.comparison_text import Fidelity, Warmup, format_comparison, text_table

if TYPE_CHECKING:
    from sc_improve.log.event_log import EventLog
    from sim.compare import Comparison
    from sim.model import SimulationModel
    from sim.scenarios import Scenario

DEFAULT_DAYS = 365.0
DEFAULT_REPLICATIONS = 10
DEFAULT_VALIDATION_REPLICATIONS = 3
"""Fewer than ``validate``'s 10: the gate needs the verdict, not the last digit of each measure."""
WARMUP_QUANTILE = 0.9
"""The default warm-up is this quantile of the log's cycle times: by then most cases that
arrived in the empty system have left, so queues are at their usual length."""
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
    simulate = log_command(
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
        dest="simulation_start",
        metavar="TIMESTAMP",
        help="start of the simulation (default: where the log ends)",
    )
    simulate.add_argument(
        "--warmup-days",
        type=float,
        metavar="W",
        help="days simulated before measuring (default: the log's 90th-percentile cycle time; "
        "0 without a log)",
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
    simulate.add_argument(
        "--no-validate",
        action="store_true",
        help="skip the fidelity check of the discovered model (faster, but nothing says whether to trust it)",
    )
    simulate.add_argument(
        "--validation-replications",
        type=int,
        default=DEFAULT_VALIDATION_REPLICATIONS,
        metavar="R",
        help=f"replications of the fidelity check (default {DEFAULT_VALIDATION_REPLICATIONS})",
    )

    validate = log_command(
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
    from sim.compare import BASELINE, compare_scenarios
    from sim.scenarios import apply_scenario, load_scenarios
    from sim.serialize import write_model

    _check_simulate_arguments(args)
    scenarios = [scenario for path in args.scenario for scenario in load_scenarios(path)]
    start = _start(args.simulation_start)
    model, log = _baseline(args)
    if args.automate_top:
        scenarios.extend(_automation_scenarios(args, log, model))
    if args.export_model:
        write_model(model, args.export_model)
        tell(args, f"model written to {args.export_model}")
    _check_scenario_names(scenarios, BASELINE)
    for scenario in scenarios:  # a scenario that does not fit fails now, not after the fidelity check
        apply_scenario(model, scenario)
    warmup = _warmup(args, log)
    tell(args, f"warm-up: {warmup.text}")
    fidelity = _fidelity(args, log)
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
            warmup_days=warmup.days,
            target_lead_time_s=args.target_lead_time,
            processes=args.processes,
            progress=progress,
            on_runs=exporter,
        )
    if args.json:
        write_text_atomically(
            args.json,
            json.dumps(_contract(comparison, model, warmup, fidelity), indent=2, ensure_ascii=False) + "\n",
        )
    if not args.quiet:
        print(format_comparison(comparison, model, fidelity, warmup))
        if exporter:
            print(f"\n{exporter.written} simulated logs written to {args.export_log}")
        if args.json:
            print(f"JSON written to {args.json}")
    return 0


def _contract(
    comparison: Comparison, model: SimulationModel, warmup: Warmup, fidelity: Fidelity
) -> dict[str, Any]:
    contract = comparison.to_dict()
    contract["horizon"]["warmup_basis"] = warmup.basis
    report = fidelity.report
    return {
        **contract,
        "model": {"source": model.source, "notes": list(model.notes)},
        "fidelity": None if report is None else report.to_dict(),
        "fidelity_skipped": fidelity.skipped,
    }


def _check_simulate_arguments(args: argparse.Namespace) -> None:
    if args.log is None and args.model is None:
        raise UsageError("give an event log to discover the model from, or a model file with --model")
    if args.automate_top and args.log is None:
        raise UsageError("--automate-top scores the activities of LOG: give the log too")
    checks = [
        (args.replications < 1, "--replications must be at least 1"),
        (args.seed < 0, "--seed must not be negative"),
        (args.cases is not None and args.cases < 1, "--cases must be at least 1"),
        (args.days is not None and not args.days > 0, "--days must be above 0"),
        (args.warmup_days is not None and not args.warmup_days >= 0, "--warmup-days must not be negative"),
        (args.processes is not None and args.processes < 1, "--processes must be at least 1"),
        (args.automate_top < 0, "--automate-top must not be negative"),
        (args.validation_replications < 1, "--validation-replications must be at least 1"),
    ]
    for failed, message in checks:
        if failed:
            raise UsageError(message)


def _check_scenario_names(scenarios: Sequence[Scenario], baseline: str) -> None:
    """Names must differ across all the --scenario files too; say which files clash, which the
    comparison itself cannot (it only sees names)."""
    seen: dict[str, str] = {baseline: "the baseline"}
    for scenario in scenarios:
        where = Path(scenario.path).name if scenario.path else "--automate-top"
        if scenario.name in seen:
            raise UsageError(
                f"two scenarios are named '{scenario.name}' ({seen[scenario.name]} and {where}): "
                "give them different names"
            )
        seen[scenario.name] = where


def _start(text: str | None) -> str | None:
    if text is None:
        return None
    import pandas as pd

    try:
        stamp = pd.Timestamp(text)
    except ValueError:
        raise UsageError(
            f"--from: '{text}' is not a timestamp (write e.g. 2025-01-06 or 2025-01-06T08:00)"
        ) from None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.isoformat()


def _baseline(args: argparse.Namespace) -> tuple[SimulationModel, Any]:
    """The model from --model, or discovered from LOG; and the log when one was read."""
    from sim.serialize import read_model

    log = None
    if args.log is not None:
        with TerminalProgress("importing", args.quiet) as progress:
            log = load_log(args, progress)
    if args.model is not None:
        return read_model(args.model), log
    from sim.discover import discover_model

    with TerminalProgress("discovering", args.quiet) as progress:
        discovery = discover_model(log, progress=progress)
    for note in discovery.model.notes:
        tell(args, f"model: {note}")
    return discovery.model, log


def _warmup(args: argparse.Namespace, log: EventLog | None) -> Warmup:
    if args.warmup_days is not None:
        return Warmup(args.warmup_days, "--warmup-days", f"{args.warmup_days:g} days (--warmup-days)")
    cycle_days = None if log is None else log_cycle_time_quantile_days(log, WARMUP_QUANTILE)
    if cycle_days is None:
        return Warmup(
            0.0, "none", "none: the system starts empty (no log to take it from; set --warmup-days)"
        )
    return Warmup(
        cycle_days,
        "log p90 cycle time",
        f"{cycle_days:.1f} days, the log's 90th-percentile cycle time, so queues have built up "
        "before measuring (--warmup-days overrides)",
    )


def log_cycle_time_quantile_days(log: EventLog, quantile: float) -> float | None:
    """The quantile of the cases' cycle times in days, without cases of implausible dates;
    None for an empty log."""
    import numpy as np

    from sc_improve.performance.timing import event_times
    from sim.discover.clean import without_time_outliers

    log, _ = without_time_outliers(log)
    if log.n_cases == 0:
        return None
    return round(float(np.quantile(event_times(log).cycle_s, quantile)) / 86_400, 1)


def _fidelity(args: argparse.Namespace, log: EventLog | None) -> Fidelity:
    """Run the fidelity protocol on LOG unless told not to or it cannot apply."""
    if args.no_validate:
        return Fidelity(None, "skipped with --no-validate")
    if args.model is not None:
        return Fidelity(
            None,
            "the model was read from a file: the fidelity check validates models discovered from a log "
            "(run sc-improve validate LOG for the discovered one)",
        )
    from sc_improve.errors import AnalysisError
    from sim.errors import ModelError
    from sim.validate import validate_log

    try:
        with TerminalProgress("checking fidelity", args.quiet) as progress:
            report = validate_log(
                log,
                replications=args.validation_replications,
                seed=args.seed,
                processes=args.processes,
                progress=progress,
            )
    except (AnalysisError, ModelError) as error:  # the what-if still runs; the gate says why it is blind
        return Fidelity(None, f"not possible on this log: {error}")
    return Fidelity(report, None)


def _automation_scenarios(args: argparse.Namespace, log: Any, model: SimulationModel) -> list[Scenario]:
    from sc_improve.automation import score_automation
    from sim.scenarios import scenarios_from_candidates

    with TerminalProgress("scoring automation", args.quiet) as progress:
        report = score_automation(log, progress=progress)
    scenarios = scenarios_from_candidates(report, model, top=args.automate_top)
    for scenario in scenarios:
        tell(args, f"scenario '{scenario.name}': {scenario.description}")
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


# ----------------------------------------------------------------------------------------- validate


def run_validate(args: argparse.Namespace) -> int:
    from sim.validate import validate_log

    if args.replications < 1:
        raise UsageError("--replications must be at least 1")
    if args.processes is not None and args.processes < 1:
        raise UsageError("--processes must be at least 1")
    if args.seed < 0:
        raise UsageError("--seed must not be negative")
    with TerminalProgress("importing", args.quiet) as progress:
        log = load_log(args, progress)
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
                text_table(
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
