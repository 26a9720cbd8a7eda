"""Variants: the distinct activity sequences of the cases, most frequent first.

A case's sequence is read in flow order (see :mod:`sc_improve.discovery.dfg`), so a
variant is exactly a path through the process map. Cases are grouped without building
a tuple per case: every case gets a 64-bit hash of its sequence (a sum over its events
of a mixed (activity, position) value, one ``np.add.reduceat``), cases with equal
hashes form a candidate variant, and every event is then compared with the event at
the same position of the candidate's first case. Cases that differ (a hash collision)
are grouped again with a new seed, so the grouping is exact whatever the hash does.
Tuples of activity names are built only for one example case per variant.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from sc_improve.discovery.dfg import FlowSequence, begins_ns, flow_sequence, group_stats
from sc_improve.errors import AnalysisError
from sc_improve.log.event_log import EventLog
from sc_improve.progress import ProgressCallback, ensure_progress

_GOLDEN = 0x9E3779B97F4A7C15
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


@dataclass(slots=True)
class Variant:
    """One distinct sequence: how many cases follow it and how long they take (seconds)."""

    rank: int
    """1 for the most frequent variant; ties are ranked by the first case in the log."""
    activities: tuple[str, ...]
    cases: int
    share: float
    """Fraction (0-1) of all cases."""
    mean_cycle_s: float
    median_cycle_s: float
    p90_cycle_s: float
    example_case: str
    """The first case (in log order) that follows this variant."""


@dataclass
class VariantTable:
    """All variants of a log, most frequent first; ``total_cases`` is the log's case count."""

    variants: list[Variant]
    total_cases: int

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def discover_variants(log: EventLog, progress: ProgressCallback | None = None) -> VariantTable:
    """Group the cases by their activity sequence, with cycle-time statistics per variant.

    A case's cycle time runs from its earliest start (or end, without start times) to
    its last end.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1", "2", "2", "3"],
    ...     "concept:name": ["a", "b", "a", "b", "a"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01 08:00", "2024-01-01 09:00",
    ...         "2024-01-02 08:00", "2024-01-02 10:00", "2024-01-03 08:00"])}))
    >>> [(v.activities, v.cases, v.mean_cycle_s) for v in discover_variants(log).variants]
    [(('a', 'b'), 2, 5400.0), (('a',), 1, 0.0)]
    """
    report = ensure_progress(progress)
    if log.n_events == 0:
        raise AnalysisError("the log has no events, so it has no variants")
    report(0.0, "grouping cases by sequence")
    flow = flow_sequence(log)
    variant_of_case, first_case = _rank_variants(flow.activity, log.codes.case_starts)
    report(0.6, "measuring cycle times")
    n_cases = log.n_cases
    cases = np.arange(n_cases, dtype=np.int64)
    stats = group_stats(variant_of_case, len(first_case), case_cycle_times_ns(log), cases, n_cases)
    report(0.8, "listing variants")
    variants = [
        Variant(rank, sequence, count, count / n_cases, mean, median, p90, example)
        for rank, sequence, count, mean, median, p90, example in zip(
            range(1, len(first_case) + 1),
            _sequences(log, flow, first_case),
            stats.count.tolist(),
            stats.mean_s.tolist(),
            stats.median_s.tolist(),
            stats.p90_s.tolist(),
            log.codes.case_ids[first_case].tolist(),
            strict=True,
        )
    ]
    report(1.0, "")
    return VariantTable(variants=variants, total_cases=n_cases)


def _sequences(log: EventLog, flow: FlowSequence, cases: np.ndarray) -> list[tuple[str, ...]]:
    """Activity names of the given cases, with one gather and list slicing instead of per-case arrays."""
    rows, _, _ = _rows_of(cases, log.codes.case_starts, np.diff(log.codes.case_starts))
    names = log.codes.activities[flow.activity[rows]].tolist()
    bounds = np.concatenate(([0], np.cumsum(np.diff(log.codes.case_starts)[cases]))).tolist()
    return [tuple(names[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def case_variant_ids(log: EventLog) -> np.ndarray:
    """Variant index of every case (0 = the most frequent), matching ``discover_variants(log).variants``.

    For filters and per-variant breakdowns that need the grouping but not the table.
    """
    return _rank_variants(flow_sequence(log).activity, log.codes.case_starts)[0]


def case_cycle_times_ns(log: EventLog) -> np.ndarray:
    """Per case: last end minus earliest start (or earliest end without start times), at least 0.

    Negative only when a case's sole start lies after its end (bad data); that counts as 0.
    """
    earliest, latest = case_spans_ns(log)
    return np.maximum(latest - earliest, 0)


def case_spans_ns(log: EventLog) -> tuple[np.ndarray, np.ndarray]:
    """Per case: the earliest start (or end, where an event has no start) and the last end."""
    codes = log.codes
    earliest = np.minimum.reduceat(begins_ns(codes), codes.case_starts[:-1])
    return earliest, codes.end_ns[codes.case_starts[1:] - 1]


def _rank_variants(activity: np.ndarray, case_starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Variant index per case in rank order, and the first case of each variant."""
    group, first_case = _exact_groups(activity, case_starts)
    counts = np.bincount(group, minlength=len(first_case))
    order = np.lexsort((first_case, -counts))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[group], first_case[order]


def _exact_groups(activity: np.ndarray, case_starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group cases with identical sequences: ids per case, and each group's first case.

    Each round hashes the cases still ungrouped, takes the first case of every hash
    as the candidate, and accepts the cases equal to it event by event. A candidate
    always equals itself, so every round settles at least one group per hash value.
    """
    lengths = np.diff(case_starts)
    group = np.empty(len(lengths), dtype=np.int64)
    first_cases = []
    remaining = np.arange(len(lengths), dtype=np.int64)
    seed = 0
    while len(remaining):
        rows, owner, position = _rows_of(remaining, case_starts, lengths)
        hashes = _sequence_hashes(activity[rows], position, owner, lengths[remaining], seed)
        local, _ = pd.factorize(hashes)
        running_max = np.maximum.accumulate(local)
        firsts = np.flatnonzero(np.concatenate(([True], running_max[1:] > running_max[:-1])))
        candidate = remaining[firsts][local]
        differs = lengths[remaining] != lengths[candidate]
        comparable = ~differs[owner]
        candidate_rows = case_starts[candidate[owner[comparable]]] + position[comparable]
        unequal = activity[rows[comparable]] != activity[candidate_rows]
        differs |= np.bincount(owner[comparable][unequal], minlength=len(remaining)) > 0
        settled = ~differs
        group[remaining[settled]] = len(first_cases) + local[settled]
        first_cases.extend(remaining[firsts].tolist())
        remaining = remaining[differs]
        seed += 1
    return group, np.asarray(first_cases, dtype=np.int64)


def _rows_of(cases: np.ndarray, case_starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, ...]:
    """Event rows of the given cases (case by case), each row's case index in ``cases`` and position."""
    case_lengths = lengths[cases]
    owner = np.repeat(np.arange(len(cases)), case_lengths)
    block_starts = np.concatenate(([0], np.cumsum(case_lengths)[:-1]))
    position = np.arange(len(owner)) - block_starts[owner]
    return case_starts[cases][owner] + position, owner, position


def _sequence_hashes(
    activity: np.ndarray, position: np.ndarray, owner: np.ndarray, lengths: np.ndarray, seed: int
) -> np.ndarray:
    """A 64-bit hash per case: the wrapping sum of mixed (activity, position) values, then with the length."""
    terms = _mix((activity.astype(np.uint64) << np.uint64(32)) | position.astype(np.uint64), seed)
    block_starts = np.flatnonzero(np.concatenate(([True], owner[1:] != owner[:-1])))
    sums = np.add.reduceat(terms, block_starts)
    return _mix(sums ^ lengths.astype(np.uint64), seed)


def _mix(values: np.ndarray, seed: int) -> np.ndarray:
    """SplitMix64's finaliser: spreads every input bit over all 64 output bits (wrapping arithmetic)."""
    z = values + np.uint64(_GOLDEN * (seed + 1) % 2**64)
    z = (z ^ (z >> np.uint64(30))) * _MIX_1
    z = (z ^ (z >> np.uint64(27))) * _MIX_2
    return z ^ (z >> np.uint64(31))
