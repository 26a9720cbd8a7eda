"""The ``generate`` command line, one definition for ``sc-improve generate`` and
``python -m sc_improve.generate``, so both accept the same arguments and check them the
same way."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sc_improve.errors import InputError, UsageError
from sc_improve.generate.choices import FORMATS, KINDS, format_of

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_EVENTS = 20_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=KINDS, help="process to simulate")
    parser.add_argument(
        "--events",
        type=int,
        default=DEFAULT_EVENTS,
        help=f"approximate number of events (default {DEFAULT_EVENTS})",
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
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE", help=f"output file: {', '.join(FORMATS)}"
    )


def generate_from_args(args: argparse.Namespace) -> tuple[pd.DataFrame, Path]:
    """Generate and write the log the arguments describe; bad arguments raise :class:`InputError`.

    The output format is checked before anything is generated, so a typo in the file
    name does not cost the time of a million-event simulation.
    """
    if args.events <= 0:
        raise UsageError("--events must be a positive number")
    if args.seed < 0:
        raise UsageError("--seed must not be negative")
    from sc_improve.generate.generator import generate_log
    from sc_improve.generate.writer import write_log

    format_of(args.output)
    frame = generate_log(args.kind, events=args.events, seed=args.seed, start=args.start, noise=args.noise)
    return frame, write_log(frame, args.output)


def summary(frame: pd.DataFrame, kind: str, path: Path) -> str:
    return f"{len(frame):,} {kind} events in {frame['case_id'].nunique():,} cases written to {path}"


def main(argv: list[str] | None = None) -> int:
    """``python -m sc_improve.generate``: bad input is one line on stderr and exit code 2."""
    parser = argparse.ArgumentParser(
        prog="python -m sc_improve.generate",
        description="Generate a realistic, seeded supply-chain event log (see docs/GENERATOR.md).",
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        frame, path = generate_from_args(args)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(summary(frame, args.kind, path))
    return 0
