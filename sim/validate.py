"""The fidelity protocol: can the discovered model reproduce a period it has not seen?

Kirchdorfer et al. (ICPM 2024), as issue 4 asks: sort the activity instances by end
time, learn from the first 70 % and hold out the last 30 %; cases with instances on
both sides of the split are dropped from both parts. The model discovered on the
training part then simulates the held-out period (starting empty at the split, as many
cases as the test part has) in several replications, and each simulated log is compared
with the real one by the ``log-distance-measures`` definitions in :mod:`sim.fidelity`.
The whole log is first prepared as discovery prepares it (merged label spellings, time
outliers left out, per the options), so that the held-out part is compared in the same
terms the model was learned in.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from sc_improve.errors import AnalysisError, OptionError
from sc_improve.log.event_log import EventLog
from sc_improve.progress import ProgressCallback, steps
from sim.discover import DiscoveryOptions, discover_model
from sim.discover.clean import prepare_log
from sim.fidelity import FidelityReport, compare_logs, overall_grade, verdict

TRAIN_SHARE = 0.7
MIN_CASES_PER_PART = 10
MEASURES = (
    "n_gram_distance",
    "absolute_event_emd_hours",
    "circadian_event_emd_hours",
    "relative_event_emd_hours",
    "cycle_time_emd_hours",
)


@dataclass(frozen=True)
class Split:
    """The training and test logs and where the split fell."""

    train: EventLog
    test: EventLog
    split_at: pd.Timestamp
    dropped_cases: int


@dataclass(frozen=True)
class MeasureSummary:
    """One measure over the replications: mean, sample standard deviation, range."""

    mean: float
    std: float
    low: float
    high: float


@dataclass
class ValidationReport:
    source: str
    split_at: str
    train_cases: int
    test_cases: int
    dropped_cases: int
    replications: int
    seed: int
    measures: dict[str, MeasureSummary]
    runs: list[dict[str, float | int]]
    verdict: str
    grade: str
    """``good``, ``fair`` or ``poor``: the verdict's overall grade (its weakest aspect)."""
    seconds: dict[str, float]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def split_log(log: EventLog, train_share: float = TRAIN_SHARE) -> Split:
    """Chronological split by activity instances (end time), dropping the cases it cuts."""
    if not 0 < train_share < 1:
        raise OptionError(f"train_share is a share in (0, 1), not {train_share}")
    codes = log.codes
    order = np.argsort(codes.end_ns, kind="stable")
    cut = int(round(len(order) * train_share))
    if cut <= 0 or cut >= len(order):
        raise AnalysisError(
            f"the log has too few events ({len(order)}) to split it into training and test parts"
        )
    in_train = np.zeros(len(order), dtype=bool)
    in_train[order[:cut]] = True
    events_per_case = np.bincount(codes.case, minlength=log.n_cases)
    train_events = np.bincount(codes.case, weights=in_train, minlength=log.n_cases)
    whole_train = train_events == events_per_case
    whole_test = train_events == 0
    frame = log.frame
    train = log.with_frame(frame[whole_train[codes.case]], note="training part (first 70 % of events)")
    test = log.with_frame(frame[whole_test[codes.case]], note="test part (last 30 % of events)")
    split_at = pd.Timestamp(int(codes.end_ns[order[cut - 1]]), tz="UTC")
    return Split(train, test, split_at, int((~whole_train & ~whole_test).sum()))


def validate_log(
    log: EventLog,
    replications: int = 10,
    seed: int = 0,
    processes: int | None = None,
    progress: ProgressCallback | None = None,
    options: DiscoveryOptions | None = None,
) -> ValidationReport:
    """Run the protocol on ``log`` and summarise each measure over ``replications`` runs."""
    from sim.engine import run_replications

    if replications < 1:
        raise OptionError(f"replications must be at least 1, not {replications}")
    step = steps(progress, ["splitting", "discovering", "simulating", "comparing"])
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    options = options or DiscoveryOptions()
    step(0)
    prepared = prepare_log(
        log,
        merge_label_spellings=options.merge_label_spellings,
        exclude_time_outliers=options.exclude_time_outliers,
    )
    log, notes = prepared.log, list(prepared.notes)
    split = split_log(log)
    for name, part in (("training", split.train), ("test", split.test)):
        if part.n_cases < MIN_CASES_PER_PART:
            raise AnalysisError(
                f"the {name} part has {part.n_cases} complete case(s), fewer than the {MIN_CASES_PER_PART} "
                "needed for a meaningful fidelity check"
            )
    seconds["split"] = _lap(clock)
    clock = time.perf_counter()
    discovery = discover_model(split.train, options, progress=step(1))
    seconds["discovery"] = _lap(clock)
    clock = time.perf_counter()
    runs = run_replications(
        discovery.model,
        replications,
        seed=seed,
        processes=processes,
        progress=step(2),
        cases=split.test.n_cases,
        start=split.split_at.isoformat(),
    )
    seconds["simulation"] = _lap(clock)
    clock = time.perf_counter()
    compare = step(3)
    reports = []
    for index, run in enumerate(runs):
        reports.append(compare_logs(split.test, run.log))
        compare((index + 1) / len(runs), "comparing")
    seconds["comparison"] = _lap(clock)
    measures = {name: _summary([getattr(r, name) for r in reports]) for name in MEASURES}
    mean_report = FidelityReport(
        **{name: measures[name].mean for name in MEASURES},
        original_cases=reports[0].original_cases,
        simulated_cases=int(round(np.mean([r.simulated_cases for r in reports]))),
        original_mean_cycle_time_hours=reports[0].original_mean_cycle_time_hours,
    )
    return ValidationReport(
        source=log.source,
        split_at=split.split_at.isoformat(),
        train_cases=split.train.n_cases,
        test_cases=split.test.n_cases,
        dropped_cases=split.dropped_cases,
        replications=replications,
        seed=seed,
        measures=measures,
        runs=[r.to_dict() for r in reports],
        verdict=verdict(mean_report),
        grade=overall_grade(mean_report),
        seconds=seconds,
        notes=[*notes, *discovery.model.notes],
    )


def _summary(values: list[float]) -> MeasureSummary:
    data = np.asarray(values, dtype=np.float64)
    return MeasureSummary(
        mean=float(data.mean()),
        std=float(data.std(ddof=1)) if len(data) > 1 else 0.0,
        low=float(data.min()),
        high=float(data.max()),
    )


def _lap(since: float) -> float:
    return round(time.perf_counter() - since, 3)
