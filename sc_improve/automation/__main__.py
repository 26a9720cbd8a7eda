"""Rebuild the shipped training table: ``python -m sc_improve.automation [--out PATH]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from sc_improve.automation.training import (
    SAMPLE_LOGS,
    TABLE_PATH,
    build_training_table,
    default_sources,
    write_training_table,
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Rebuild the automation model's training table.")
    parser.add_argument("--out", type=Path, default=TABLE_PATH)
    parser.add_argument("--sample-logs", type=Path, default=SAMPLE_LOGS)
    args = parser.parse_args(argv)
    table = build_training_table(default_sources(args.sample_logs))
    write_training_table(table, args.out)
    counts = table.groupby("group")["label"].agg(["size", "sum"])
    print(f"wrote {len(table)} rows to {args.out}\n{counts.to_string()}")


main()
