"""Applying a saved list of filters in order, and rebuilding filters from their dicts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sc_improve.discovery.filters.attribute import ActivityFilter, AttributeFilter
from sc_improve.discovery.filters.base import Filter
from sc_improve.discovery.filters.sequence import EndpointFilter, FollowsFilter, VariantFilter
from sc_improve.discovery.filters.time import DurationFilter, TimeframeFilter
from sc_improve.errors import OptionError
from sc_improve.log.event_log import EventLog
from sc_improve.progress import ProgressCallback, ensure_progress

FILTER_KINDS: dict[str, type[Filter]] = {
    cls.kind: cls
    for cls in (
        TimeframeFilter,
        AttributeFilter,
        VariantFilter,
        DurationFilter,
        EndpointFilter,
        FollowsFilter,
        ActivityFilter,
    )
}


def apply_filters(
    log: EventLog, filters: Sequence[Filter], progress: ProgressCallback | None = None
) -> EventLog:
    """Apply ``filters`` one after the other; each sees the previous one's result.

    Order matters (the top 5 variants of January differ from the January cases of the
    top 5 variants), so the list is replayed exactly as given. The result carries one
    note per filter; an empty result raises ``AnalysisError`` naming the filter.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1", "2"],
    ...     "concept:name": ["a", "b", "a"], "time:timestamp": pd.to_datetime(["2024-01-01",
    ...     "2024-01-02", "2024-03-01"])}))
    >>> apply_filters(log, [TimeframeFilter(end="2024-02-01", mode="contained")]).n_cases
    1
    """
    report = ensure_progress(progress)
    for index, step in enumerate(filters):
        report(index / len(filters), step.describe())
        log = step.apply(log)
    report(1.0, "")
    return log


def filter_from_dict(data: dict[str, Any]) -> Filter:
    """Rebuild any filter from its :meth:`Filter.to_dict` output, by its ``"kind"``.

    >>> filter_from_dict({"kind": "variant", "top_k": 5})
    VariantFilter(top_k=5, coverage=None)
    """
    kind = data.get("kind")
    if kind not in FILTER_KINDS:
        raise OptionError(f"unknown filter kind {kind!r}; known kinds: {', '.join(FILTER_KINDS)}")
    return FILTER_KINDS[kind].from_dict(data)
