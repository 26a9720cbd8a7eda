"""Filters on the order of activities: variants, first and last activity, follows relations.

All of them read cases in flow order, the order the process map and the variants use,
so a filter on ``a -> b`` keeps exactly the cases that contribute to that map edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sc_improve.discovery.dfg import flow_sequence
from sc_improve.discovery.filters.base import Filter, activity_mask, as_tuple, keep_cases
from sc_improve.discovery.variants import case_variant_ids
from sc_improve.errors import OptionError
from sc_improve.log.event_log import EventLog


@dataclass(frozen=True)
class VariantFilter(Filter):
    """Cases of the most frequent variants: the ``top_k`` first, and/or the fewest that
    together cover at least ``coverage`` (0-1) of the cases. With both, the stricter wins.

    >>> VariantFilter(coverage=0.8).describe()
    'variants covering 80% of cases'
    """

    top_k: int | None = None
    coverage: float | None = None
    kind: ClassVar[str] = "variant"

    def __post_init__(self) -> None:
        if self.top_k is None and self.coverage is None:
            raise OptionError("a variant filter needs top_k, coverage or both")
        if self.top_k is not None and self.top_k < 1:
            raise OptionError(f"top_k must be at least 1, not {self.top_k}")
        if self.coverage is not None and not 0.0 < self.coverage <= 1.0:
            raise OptionError(f"coverage must be in (0, 1], not {self.coverage}")

    def apply(self, log: EventLog) -> EventLog:
        variant = case_variant_ids(log)
        counts = np.bincount(variant)
        kept = len(counts)
        if self.top_k is not None:
            kept = min(kept, self.top_k)
        if self.coverage is not None:
            needed = self.coverage * log.n_cases - 1e-9
            kept = min(kept, int(np.searchsorted(np.cumsum(counts), needed)) + 1)
        return keep_cases(log, self, variant < kept)

    def describe(self) -> str:
        parts = []
        if self.top_k is not None:
            parts.append(f"top {self.top_k} variants")
        if self.coverage is not None:
            parts.append(f"variants covering {self.coverage:.0%} of cases")
        return " and ".join(parts)


@dataclass(frozen=True)
class EndpointFilter(Filter):
    """Cases that begin with one of ``start_activities`` and end with one of ``end_activities``.

    ``None`` leaves that end free; useful to drop incomplete cases (e.g. keep only cases
    that end with "Pay invoice").

    >>> EndpointFilter(end_activities=["Pay invoice"]).describe()
    "cases ending with ('Pay invoice',)"
    """

    start_activities: tuple | None = None
    end_activities: tuple | None = None
    kind: ClassVar[str] = "endpoint"

    def __post_init__(self) -> None:
        if self.start_activities is None and self.end_activities is None:
            raise OptionError("an endpoint filter needs start_activities, end_activities or both")
        for name in ("start_activities", "end_activities"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, as_tuple(getattr(self, name)))

    def apply(self, log: EventLog) -> EventLog:
        codes = log.codes
        activity = flow_sequence(log).activity
        keep = np.ones(log.n_cases, dtype=bool)
        for names, rows in (
            (self.start_activities, codes.case_starts[:-1]),
            (self.end_activities, codes.case_starts[1:] - 1),
        ):
            if names is not None:
                keep &= activity_mask(codes.activities, names)[activity[rows]]
        return keep_cases(log, self, keep)

    def named_activities(self) -> tuple[str, ...]:
        return (*(self.start_activities or ()), *(self.end_activities or ()))

    def describe(self) -> str:
        parts = []
        if self.start_activities is not None:
            parts.append(f"starting with {self.start_activities}")
        if self.end_activities is not None:
            parts.append(f"ending with {self.end_activities}")
        return "cases " + " and ".join(parts)


@dataclass(frozen=True)
class FollowsFilter(Filter):
    """Cases in which ``target`` follows ``source``: directly (the next activity, a map
    edge) or eventually (any time later). ``keep=False`` removes those cases instead.

    >>> FollowsFilter("Create PO", "Approve PO", directly=False).describe()
    "'Create PO' eventually followed by 'Approve PO': keep cases"
    """

    source: str
    target: str
    directly: bool = True
    keep: bool = True
    kind: ClassVar[str] = "follows"

    def apply(self, log: EventLog) -> EventLog:
        codes = log.codes
        activity = flow_sequence(log).activity
        is_source = activity_mask(codes.activities, (self.source,))[activity]
        is_target = activity_mask(codes.activities, (self.target,))[activity]
        if self.directly:
            pairs = np.flatnonzero(codes.same_case_as_next & is_source[:-1] & is_target[1:])
            found = np.bincount(codes.case[pairs], minlength=log.n_cases) > 0
        else:
            first_source, _ = _first_and_last_rows(np.flatnonzero(is_source), codes.case, log.n_cases)
            _, last_target = _first_and_last_rows(np.flatnonzero(is_target), codes.case, log.n_cases)
            found = first_source < last_target
        return keep_cases(log, self, found == self.keep)

    def named_activities(self) -> tuple[str, ...]:
        return (self.source, self.target)

    def describe(self) -> str:
        relation = "directly" if self.directly else "eventually"
        action = "keep" if self.keep else "remove"
        return f"{self.source!r} {relation} followed by {self.target!r}: {action} cases"


def _first_and_last_rows(rows: np.ndarray, case: np.ndarray, n_cases: int) -> tuple[np.ndarray, np.ndarray]:
    """Per case, the first and the last of the ascending ``rows`` in it (n and -1 where none is)."""
    first = np.full(n_cases, len(case), dtype=np.int64)
    last = np.full(n_cases, -1, dtype=np.int64)
    owners = case[rows]
    changes = np.flatnonzero(owners[1:] != owners[:-1])
    starts = np.concatenate(([0], changes + 1))[: len(rows)]
    ends = np.concatenate((changes, [len(rows) - 1]))[: len(rows)]
    first[owners[starts]] = rows[starts]
    last[owners[ends]] = rows[ends]
    return first, last
