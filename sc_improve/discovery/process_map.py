"""Result types of process-map discovery, shared by discovery, layout and rendering.

A :class:`ProcessMap` is a directly-follows graph with frequencies and performance,
plus the artificial start and end: ``start_activities`` counts the cases that begin
with an activity, ``end_activities`` those that end with it. Times are in seconds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class ActivityNode:
    """One activity: how often it occurs (``events``) and in how many cases."""

    name: str
    events: int
    cases: int
    mean_duration_s: float | None = None
    """Mean processing time (end - start) when the log has start times, else None."""


@dataclass(frozen=True)
class MapEdge:
    """A directly-follows relation ``source -> target`` within a case.

    ``frequency`` counts the times target directly followed source; ``cases`` the
    cases in which it did. The times measure from the end of source to the start of
    target when the log has start times (pure waiting), else end to end.
    """

    source: str
    target: str
    frequency: int
    cases: int
    mean_s: float
    median_s: float
    p90_s: float
    total_s: float


@dataclass
class ProcessMap:
    """A directly-follows process map; see the module docstring."""

    activities: list[ActivityNode]
    edges: list[MapEdge]
    start_activities: dict[str, int]
    end_activities: dict[str, int]
    n_cases: int
    time_basis: str = "end_to_end"
    """"end_to_start" when edge times run from source end to target start, else "end_to_end"."""
    notes: list[str] = field(default_factory=list)

    def activity(self, name: str) -> ActivityNode:
        for node in self.activities:
            if node.name == name:
                return node
        raise KeyError(name)

    def edge(self, source: str, target: str) -> MapEdge:
        for edge in self.edges:
            if edge.source == source and edge.target == target:
                return edge
        raise KeyError((source, target))

    def to_dict(self) -> dict[str, object]:
        return asdict(self)
