"""The ``generate`` command line: shared by ``python -m sc_improve.generate`` and the
``sc-improve generate`` subcommand, so both accept the same arguments."""

from __future__ import annotations

import argparse
import sys

from sc_improve.generate.generator import KINDS, generate_log
from sc_improve.generate.writer import FORMATS, format_of, write_log


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=KINDS, help="process to simulate")
    parser.add_argument(
        "--events", type=int, default=10_000, help="approximate number of events (default 10000)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed: same seed, same log (default 0)")
    parser.add_argument(
        "--noise",
        type=float,
        default=0.0,
        help="rate of injected data-quality problems, e.g. 0.01 (default 0)",
    )
    parser.add_argument(
        "--start", default="2024-01-01", help="first day of the simulated year (default 2024-01-01)"
    )
    parser.add_argument("-o", "--output", required=True, help=f"output file: {', '.join(FORMATS)}")


def run(args: argparse.Namespace) -> int:
    """Generate and write the log; a bad argument is one line on stderr and exit code 2."""
    try:
        format_of(args.output)
        frame = generate_log(
            args.kind, events=args.events, seed=args.seed, start=args.start, noise=args.noise
        )
        path = write_log(frame, args.output)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    cases = frame["case_id"].nunique()
    print(f"wrote {len(frame)} events of {cases} {args.kind} cases to {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sc_improve.generate",
        description="Generate a realistic, seeded supply-chain event log (see docs/GENERATOR.md).",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
