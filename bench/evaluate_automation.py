"""Leave-one-log-out evaluation of the automation model against the RPA baseline.

    .venv/bin/python bench/evaluate_automation.py             # on the shipped training table
    .venv/bin/python bench/evaluate_automation.py --rebuild   # rebuild the table from the logs first
    .venv/bin/python bench/evaluate_automation.py --ablation  # also the model without timing features

Prints the table that docs/AUTOMATION.md shows (ROC AUC, precision at 3 and 5 and
the false-alarm rate per held-out group and on average), the time the start-up fit
takes, and, with --ablation, the same evaluation for a model restricted to the
features that describe the process rather than how a step is executed.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import date

from sc_improve.automation.evaluate import leave_one_log_out
from sc_improve.automation.features import FEATURES
from sc_improve.automation.model import MODEL_FEATURES, AutomationModel, group_weights
from sc_improve.automation.training import (
    TABLE_PATH,
    build_training_table,
    load_training_table,
    write_training_table,
)

EXECUTION_FEATURES = (
    "processing_time_mean_hours",
    "processing_time_cv",
    "waiting_time_mean_hours",
    "off_hours_share",
    "weekend_share",
)
"""Features that describe how a step is executed (how long, when) rather than the process."""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="rebuild the training table from the logs first"
    )
    parser.add_argument("--ablation", action="store_true", help="also evaluate the process-only model")
    args = parser.parse_args()
    if args.rebuild:
        write_training_table(build_training_table())
    table = load_training_table()
    print(f"# {date.today()}, {platform.python_version()}, {os.cpu_count()} cores, table {TABLE_PATH.name}")
    print(
        f"{len(table)} activities from {table['log'].nunique()} logs in {table['group'].nunique()} groups\n"
    )

    started = time.process_time()
    AutomationModel().fit(table, table["label"], sample_weight=group_weights(table))
    print(f"start-up fit: {time.process_time() - started:.2f} s CPU\n")

    print("## Model (all model features) vs baseline\n")
    print(leave_one_log_out(table).to_markdown())
    if args.ablation:
        process_only = tuple(f for f in MODEL_FEATURES if f not in EXECUTION_FEATURES)
        assert set(process_only) < set(FEATURES)
        print("\n## Ablation: process features only (no timing of the step itself)\n")
        print(leave_one_log_out(table, lambda: AutomationModel(features=process_only)).to_markdown())


if __name__ == "__main__":
    main()
