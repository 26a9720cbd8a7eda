"""The ``sc-improve`` command line: subcommands over the headless core.

Bad input (an :class:`~sc_improve.errors.InputError`, or a file that cannot be opened)
ends with exit code 2 and one line on stderr naming what and where; anything else is a
bug: exit code 1, one line and the hint to rerun with ``--debug`` for the traceback.
Progress bars go to stderr, results to stdout or files.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from sc_improve.atomic import write_text_atomically
from sc_improve.cli_progress import TerminalProgress
from sc_improve.cli_support import common_flags, load_log, log_command
from sc_improve.errors import InputError, UsageError
from sc_improve.generate.command import add_arguments as add_generate_arguments
from sc_improve.generate.command import generate_from_args, summary
from sc_improve.progress import Cancelled

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return args.handler(args)
    except InputError as error:
        return _fail(args, str(error), EXIT_BAD_INPUT, error)
    except FileNotFoundError as error:
        return _fail(args, f"{error.filename}: no such file", EXIT_BAD_INPUT, error)
    except (PermissionError, IsADirectoryError) as error:
        return _fail(args, f"{error.filename}: {error.strerror}", EXIT_BAD_INPUT, error)
    except (KeyboardInterrupt, Cancelled):
        print("sc-improve: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # a bug: still one line, with the way to see more
        return _fail(
            args, f"internal error: {type(error).__name__}: {error} (run with --debug)", EXIT_INTERNAL, error
        )


def _fail(args: argparse.Namespace, message: str, code: int, error: BaseException) -> int:
    if getattr(args, "debug", False):
        raise error
    print(f"sc-improve: error: {message}", file=sys.stderr)
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sc-improve",
        description="Process mining for supply-chain and ERP event logs.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    analyze = log_command(commands, "analyze", "import a log and print its analysis", _run_analyze)
    analyze.add_argument("--json", metavar="OUT", help="write the analysis as JSON (contract: docs/CLI.md)")
    analyze.add_argument(
        "--keep-time-outliers",
        action="store_true",
        help="keep cases with implausible timestamps (before 1990, in the future) in the time analyses",
    )

    map_command = log_command(commands, "map", "draw the process map as SVG or PNG", _run_map)
    map_command.add_argument("-o", "--output", required=True, metavar="FILE", help="map.svg or map.png")
    map_command.add_argument("--metric", choices=["frequency", "performance"], default="frequency")
    map_command.add_argument(
        "--activities", type=_percent, default=100.0, metavar="P", help="activity slider 0-100"
    )
    map_command.add_argument("--paths", type=_percent, default=100.0, metavar="P", help="path slider 0-100")

    bpmn = log_command(commands, "bpmn", "discover a BPMN model (inductive miner)", _run_bpmn)
    bpmn.add_argument("-o", "--output", required=True, metavar="FILE", help="model.bpmn")
    bpmn.add_argument("--pnml", metavar="FILE", help="also write the Petri net as .pnml")
    bpmn.add_argument("--noise", type=float, default=0.2, help="noise threshold 0-1 (default 0.2)")
    bpmn.add_argument("--fitness", action="store_true", help="measure how well the log fits the model")

    candidates = log_command(
        commands, "candidates", "score which activities are worth automating", _run_candidates
    )
    candidates.add_argument(
        "--hourly-rate", type=float, default=50.0, help="cost of an hour of work (default 50)"
    )
    candidates.add_argument(
        "--force-system", default="", metavar="USERS", help="comma-separated technical users"
    )
    candidates.add_argument("--force-human", default="", metavar="USERS", help="comma-separated human users")
    candidates.add_argument(
        "--json", metavar="OUT", help="write the candidates as JSON (contract: docs/CLI.md)"
    )

    mapping = log_command(
        commands, "mapping", "show the suggested column mapping (and save it)", _run_mapping
    )
    mapping.add_argument("-o", "--output", metavar="FILE", help="write the mapping to this JSON file")

    generate = commands.add_parser("generate", help="write a seeded synthetic supply-chain log")
    add_generate_arguments(generate)
    common_flags(generate)
    generate.set_defaults(handler=_run_generate)
    _add_plugin_commands(commands)
    return parser


PLUGIN_GROUP = "sc_improve.cli_commands"


def _add_plugin_commands(commands: argparse._SubParsersAction) -> None:
    """Packages built on the core (``sim``: simulate, validate) register their subcommands
    through this entry-point group, since the core must never import them (layers)."""
    from importlib.metadata import entry_points

    for entry in entry_points(group=PLUGIN_GROUP):
        try:
            entry.load()(commands)
        except Exception as error:  # a broken add-on must not take the core commands down
            print(f"sc-improve: commands of '{entry.name}' unavailable: {error}", file=sys.stderr)


def _percent(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError("must be between 0 and 100")
    return value


def _run_analyze(args: argparse.Namespace) -> int:
    from sc_improve.analysis import analyze_log
    from sc_improve.summary import format_summary

    with TerminalProgress("importing", args.quiet) as progress:
        log = load_log(args, progress, show_notes=False)
    with TerminalProgress("analysing", args.quiet) as progress:
        analysis = analyze_log(log, progress=progress, keep_time_outliers=args.keep_time_outliers)
    contract = analysis.to_contract()
    if args.json:
        write_text_atomically(args.json, json.dumps(contract, indent=2, ensure_ascii=False, default=str))
    if not args.quiet:
        print(format_summary(contract))
        if args.json:
            print(f"\nJSON written to {args.json}")
    return 0


def _run_map(args: argparse.Namespace) -> int:
    from sc_improve.discovery.dfg import discover_map
    from sc_improve.discovery.render import write_map
    from sc_improve.discovery.simplify import simplify_map

    with TerminalProgress("importing", args.quiet) as progress:
        log = load_log(args, progress)
    process_map = simplify_map(discover_map(log), activities=args.activities, paths=args.paths)
    path = write_map(process_map, args.output, metric=args.metric)
    if not args.quiet:
        print(
            f"{args.metric} map with {len(process_map.activities)} activities and "
            f"{len(process_map.edges)} paths written to {path}"
        )
    return 0


def _run_bpmn(args: argparse.Namespace) -> int:
    from sc_improve.discovery.fitness import fitness
    from sc_improve.discovery.model import discover_bpmn, discover_petri_net, write_bpmn, write_pnml

    with TerminalProgress("importing", args.quiet) as progress:
        log = load_log(args, progress)
    if not 0 <= args.noise <= 1:
        raise UsageError("--noise must be between 0 and 1")
    write_bpmn(discover_bpmn(log, noise_threshold=args.noise), args.output)
    net = discover_petri_net(log, noise_threshold=args.noise) if args.pnml or args.fitness else None
    if args.pnml:
        write_pnml(*net, args.pnml)
    if not args.quiet:
        print(f"BPMN model written to {args.output}" + (f", Petri net to {args.pnml}" if args.pnml else ""))
    if args.fitness:
        result = fitness(log, *net)
        sample = f" on a sample of {result.cases_evaluated} cases" if result.sampled else ""
        print(
            f"fitness ({result.method}{sample}): {result.log_fitness:.3f}; "
            f"{result.percentage_of_fitting_traces:.1f}% of cases fit the model perfectly"
        )
    return 0


def _run_candidates(args: argparse.Namespace) -> int:
    from sc_improve.automation import score_automation

    if args.hourly_rate < 0:
        raise UsageError("--hourly-rate must not be negative")
    with TerminalProgress("importing", args.quiet) as progress:
        log = load_log(args, progress)
    with TerminalProgress("scoring", args.quiet) as progress:
        report = score_automation(
            log,
            hourly_rate=args.hourly_rate,
            force_system=_names(args.force_system),
            force_human=_names(args.force_human),
            progress=progress,
        )
    if args.json:
        report.write_json(args.json)
    if not args.quiet:
        print(f"{'score':>5}  {'kind':<20} {'hours/yr':>9}  activity: top reason")
        for candidate in report.candidates[:15]:
            reason = candidate.reasons[0] if candidate.reasons else ""
            hours = f"{candidate.savings_hours_per_year:,.0f}"
            print(f"{candidate.score:5.0f}  {candidate.kind:<20} {hours:>9}  {candidate.activity}: {reason}")
        if report.automated:
            rates = ", ".join(f"{c.activity} ({c.automation_rate:.0%})" for c in report.automated[:10])
            print(f"\nAlready mostly automated: {rates}")
        for note in report.notes:
            print(f"note: {note}")
        from sc_improve.automation.savings import ASSUMED_TOUCH_HOURS

        basis = (
            "the processing times recorded in the log (start to end, at most 8 h)"
            if report.touch_time == "start times"
            else f"an assumed {ASSUMED_TOUCH_HOURS * 60:.0f} min of work per execution (no start times)"
        )
        print(f"savings use {basis}, at {report.hourly_rate:g} per hour")
    return 0


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _run_mapping(args: argparse.Namespace) -> int:
    from sc_improve.log.mapping import ColumnMapping, save_mapping

    with TerminalProgress("importing", args.quiet) as progress:
        log = load_log(args, progress)
    mapping = ColumnMapping.from_dict(log.mapping)
    print(json.dumps(mapping.to_dict(), indent=2, ensure_ascii=False))
    if args.output:
        save_mapping(mapping, args.output)
        print(f"mapping written to {args.output}")
    return 0


def _run_generate(args: argparse.Namespace) -> int:
    frame, path = generate_from_args(args)
    if not args.quiet:
        print(summary(frame, args.kind, path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
