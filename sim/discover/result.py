"""What discovery returns: the model and the evidence behind it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sim.model import SimulationModel


@dataclass(frozen=True)
class WaitingRow:
    """Waiting before one activity, in seconds summed over its instances, split by cause."""

    activity: str
    instances: int
    waiting_s: float
    busy_s: float
    offshift_s: float
    unexplained_s: float

    @property
    def unexplained_share(self) -> float:
        return self.unexplained_s / self.waiting_s if self.waiting_s > 0 else 0.0


@dataclass(frozen=True)
class FitRow:
    """One candidate distribution for one quantity; ``chosen`` marks the one in the model."""

    quantity: str
    """"duration", "delay" or "interarrival"."""
    activity: str
    pool: str
    predecessor: str
    family: str
    distance: float
    n: int
    chosen: bool


@dataclass(frozen=True)
class DelayRow:
    """One extraneous delay: how often it applies and which clock it is counted on.

    ``calendar`` is the working calendar the delay runs in (``None``: wall clock); the
    distances are how far (hours, hour-of-week profile of starts and ends) a replay of
    the delayed instances lands from the log on each clock, ``None`` when not compared.
    """

    activity: str
    predecessor: str
    probability: float
    calendar: str | None
    wall_distance_h: float | None
    calendar_distance_h: float | None
    n: int
    recent_only: bool


@dataclass(frozen=True)
class PoolRow:
    pool: str
    members: tuple[str, ...]
    activities: tuple[str, ...]
    calendars: tuple[str, ...]
    system: bool


@dataclass
class DiscoveryDiagnostics:
    """Evidence an analyst can check: waiting split, fitted families, pools, and notes.

    ``unexplained_share`` is the share of all observed waiting that neither busy resources
    nor off-shift hours explain; it is what the model's extraneous delays stand for.
    """

    cases: int
    instances: int
    estimated_starts: int
    waiting: list[WaitingRow]
    unexplained_share: float
    fits: list[FitRow]
    pools: list[PoolRow]
    routing: dict[str, object]
    skipped_attributes: list[str]
    seconds: dict[str, float]
    notes: list[str] = field(default_factory=list)
    delays: list[DelayRow] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["waiting"] = [
            {**asdict(row), "unexplained_share": row.unexplained_share} for row in self.waiting
        ]
        return data


@dataclass(frozen=True)
class Discovery:
    model: SimulationModel
    diagnostics: DiscoveryDiagnostics
