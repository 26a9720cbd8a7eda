"""The training table: one row per activity of many logs, with features and weak label.

The model ships as this table (CSV, a few hundred rows) and is re-fitted from it at
start-up, so no pickled object is ever loaded. Rebuild it with
``python -m sc_improve.automation`` after changing the features; the rows
come from the generated P2P, O2C and production logs (several seeds and sizes) and
from the real logs whose technical users can be identified (see docs/AUTOMATION.md
for which those are and why the others are left out).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sc_improve.automation.features import FEATURES, activity_features
from sc_improve.automation.labels import automation_rates, weak_labels
from sc_improve.automation.system_users import detect_system_users
from sc_improve.columns import ACTIVITY, CASE, END, RESOURCE, START
from sc_improve.errors import AnalysisError
from sc_improve.generate import generate_log
from sc_improve.log.event_log import EventLog, make_event_log
from sc_improve.log.read import read_log
from sc_improve.progress import ProgressCallback, ensure_progress

TABLE_PATH = Path(__file__).parent / "data" / "training_table.csv"
SAMPLE_LOGS = Path(__file__).resolve().parents[2] / "sample_logs"
GENERATED_KINDS = ("p2p", "o2c", "production")
GENERATED_SEEDS = (11, 12, 13)
GENERATED_SIZES = (5_000, 20_000)
WITHOUT_START_SEEDS = (14, 15)
WITHOUT_START_SIZE = 10_000
"""Logs generated again with their start times dropped: many real logs record only
completions, and the model must have seen processing times estimated from gaps."""
REAL_LOGS: dict[str, str] = {
    "repair": "03_repairExample.xes.gz",
    "purchasing": "PurchasingExample.csv.gz",
    "receipt": "08_receipt.xes.gz",
    "order-management": "order-management.json.gz",
}
"""Real (or independently simulated) sample logs whose users can be told apart, by group
name: the repair log has a technical user ("System"); in the others every resource is
a named person, so all their activities are manual. Those all-manual logs teach the
model that short or instantaneous steps done by people are not automation."""
MIN_EVENTS = 20
"""Activities with fewer events are left out of training: their features are noise."""
META_COLUMNS = ("log", "group", "activity", "automation_rate", "label")
_GENERATED_NAMES = {
    "case_id": CASE,
    "activity": ACTIVITY,
    "start_time": START,
    "end_time": END,
    "resource": RESOURCE,
}


@dataclass(frozen=True)
class TrainingSource:
    """One log of the training data. ``group`` is its process: logs of one group are held
    out together in cross-validation, since seeds of one generator share their process."""

    name: str
    group: str
    load: Callable[[], EventLog]


def generated_log(kind: str, events: int, seed: int, with_start: bool = True) -> EventLog:
    """A clean generated log as an EventLog (the generator's columns renamed to canonical ones)."""
    frame = generate_log(kind, events, seed=seed).rename(columns=_GENERATED_NAMES)  # type: ignore[arg-type]
    if not with_start:
        frame = frame.drop(columns=[START])
    return make_event_log(frame, source=f"generated {kind} seed {seed}")


def default_sources(sample_logs: Path = SAMPLE_LOGS) -> list[TrainingSource]:
    """The generated logs of every kind, seed and size (some without start times), then the real logs."""
    sources = [
        TrainingSource(
            f"{kind}-seed{seed}-{size}", kind, lambda k=kind, n=size, s=seed: generated_log(k, n, s)
        )
        for kind in GENERATED_KINDS
        for seed in GENERATED_SEEDS
        for size in GENERATED_SIZES
    ]
    sources += [
        TrainingSource(
            f"{kind}-seed{seed}-{WITHOUT_START_SIZE}-nostart",
            kind,
            lambda k=kind, s=seed: generated_log(k, WITHOUT_START_SIZE, s, with_start=False),
        )
        for kind in GENERATED_KINDS
        for seed in WITHOUT_START_SEEDS
    ]
    sources += [
        TrainingSource(group, group, lambda p=sample_logs / file: read_log(p))
        for group, file in REAL_LOGS.items()
    ]
    return sources


def training_rows(log: EventLog, name: str, group: str) -> pd.DataFrame:
    """Features and weak label of every activity of one log with at least MIN_EVENTS events."""
    rates = automation_rates(log, detect_system_users(log))
    if rates is None:
        raise AnalysisError(f"{name}: a training log needs a resource column for its labels")
    features = activity_features(log)
    rows = features.assign(automation_rate=rates, label=weak_labels(rates))
    rows = rows[(rows["events"] >= MIN_EVENTS) & rows["label"].notna()]
    rows = rows.reset_index().assign(log=name, group=group)
    return rows[[*META_COLUMNS, *FEATURES]]


def build_training_table(
    sources: list[TrainingSource] | None = None, progress: ProgressCallback | None = None
) -> pd.DataFrame:
    """The training table over all sources, one row per (log, activity)."""
    report = ensure_progress(progress)
    sources = default_sources() if sources is None else sources
    parts = []
    for index, source in enumerate(sources):
        report(index / len(sources), source.name)
        parts.append(training_rows(source.load(), source.name, source.group))
    report(1.0, "training table done")
    table = pd.concat(parts, ignore_index=True)
    table["label"] = table["label"].astype(int)
    return table


def write_training_table(table: pd.DataFrame, path: Path = TABLE_PATH) -> None:
    """Write the table as CSV with six significant digits (small, diff-friendly, exact enough)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, float_format="%.6g", lineterminator="\n")


def load_training_table(path: Path = TABLE_PATH) -> pd.DataFrame:
    """The shipped training table."""
    return pd.read_csv(path, dtype={"log": str, "group": str, "activity": str})
