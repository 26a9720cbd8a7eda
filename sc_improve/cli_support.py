"""Building blocks shared by every ``sc-improve`` subcommand that reads an event log.

The core commands (``sc_improve.cli``) and the ones other packages register through the
``sc_improve.cli_commands`` entry points (``sim.cli``: simulate, validate) use the same
mapping options, flags and import messages, so they live here as a public seam rather
than as private helpers of one module.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sc_improve.errors import LogImportError

if TYPE_CHECKING:
    from sc_improve.cli_progress import TerminalProgress
    from sc_improve.discovery.filters import Filter
    from sc_improve.log.event_log import EventLog


def log_command(
    commands: argparse._SubParsersAction,
    name: str,
    help_text: str,
    handler: Callable[[argparse.Namespace], int],
) -> argparse.ArgumentParser:
    """A subcommand taking LOG, the column-mapping options, ``--filters`` and the common flags."""
    command = commands.add_parser(name, help=help_text, description=help_text)
    command.add_argument("log", metavar="LOG", help="event log: CSV, Excel, Parquet, XES, OCEL 2.0")
    group = command.add_argument_group("column mapping (suggested automatically; override here)")
    group.add_argument("--case", help="case id column(s), comma-separated to combine")
    group.add_argument("--activity", help="activity column(s), comma-separated to combine")
    group.add_argument("--timestamp", help="end timestamp column, or DATE+TIME columns")
    group.add_argument("--start", help="start timestamp column, or DATE+TIME columns")
    group.add_argument("--resource", help="resource column")
    order = group.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst", action="store_const", const="day", dest="dayfirst", help="dates are day first"
    )
    order.add_argument(
        "--monthfirst", action="store_const", const="month", dest="dayfirst", help="dates are month first"
    )
    group.add_argument(
        "--timestamp-format", help="strptime format of the timestamps, e.g. %%d.%%m.%%Y %%H:%%M"
    )
    group.add_argument("--mapping", metavar="FILE", help="read the column mapping from this JSON file")
    group.add_argument("--save-mapping", metavar="FILE", help="save the mapping used to this JSON file")
    group.add_argument("--sheet", help="Excel sheet name, or its number counted from 1")
    group.add_argument("--object-type", help="OCEL: the object type whose objects become cases")
    command.add_argument("--filters", metavar="FILE", help="JSON list of filters applied before the analysis")
    common_flags(command)
    command.set_defaults(handler=handler)
    return command


def common_flags(command: argparse.ArgumentParser) -> None:
    command.add_argument("-q", "--quiet", action="store_true", help="no progress bars or summary")
    command.add_argument("--debug", action="store_true", help="show tracebacks for errors")


def load_log(args: argparse.Namespace, progress: TerminalProgress, show_notes: bool = True) -> EventLog:
    """Read the log with the mapping the user gave or the suggested one, saying which."""
    from sc_improve.log.mapping import load_mapping, save_mapping
    from sc_improve.log.read import describe_mapping, file_kind, read_log, suggest_for_file

    overrides = {
        role: value
        for role in ("case", "activity", "timestamp", "start", "resource", "dayfirst", "timestamp_format")
        if (value := getattr(args, role)) is not None
    }
    sheet = args.sheet
    if sheet is not None and sheet.isdigit():
        sheet = int(sheet) - 1
    if args.mapping:
        mapping = load_mapping(args.mapping)
        tell(args, f"column mapping from {args.mapping}")
    elif file_kind(args.log) in ("csv", "excel", "parquet"):
        suggestion = suggest_for_file(args.log, sheet=sheet, overrides=overrides or None)
        mapping, overrides = suggestion.mapping, {}
        tell(args, describe_mapping(suggestion))
    else:
        mapping = None
    log = read_log(
        args.log,
        mapping,
        sheet=sheet,
        object_type=args.object_type,
        overrides=overrides or None,
        progress=progress,
    )
    if show_notes:
        for note in log.notes:
            tell(args, f"note: {note}")
    if args.save_mapping:
        from sc_improve.log.mapping import ColumnMapping

        save_mapping(ColumnMapping.from_dict(log.mapping), args.save_mapping)
    if args.filters:
        from sc_improve.discovery.filters import apply_filters

        log = apply_filters(log, read_filters(args.filters))
    return log


def read_filters(path: str | Path) -> list[Filter]:
    """The filters of a JSON filter file; anything wrong in it is a :class:`LogImportError`
    naming the file and the filter's position (from 1), since the user wrote the file."""
    from sc_improve.discovery.filters import filter_from_dict

    try:
        specs = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise LogImportError(f"is not valid JSON ({error})", path=path) from None
    if not isinstance(specs, list):
        raise LogImportError("expected a JSON list of filters", path=path)
    filters = []
    for position, spec in enumerate(specs, start=1):
        if not isinstance(spec, dict):
            raise LogImportError(f'filter {position} must be a JSON object with a "kind"', path=path)
        try:
            filters.append(filter_from_dict(spec))
        except (ValueError, TypeError) as error:  # the settings came from the file, so the file is wrong
            raise LogImportError(f"filter {position}: {error}", path=path) from error
    return filters


def tell(args: argparse.Namespace, text: str) -> None:
    """Import decisions go to stderr so that stdout stays the command's result."""
    if not args.quiet:
        print(text, file=sys.stderr)
