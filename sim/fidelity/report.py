"""All fidelity measures of one simulated log against the real one, in one result."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sim.fidelity.absolute import absolute_event_distance
from sim.fidelity.circadian import circadian_event_distance
from sim.fidelity.cycle_time import cycle_time_distance
from sim.fidelity.events import NS_PER_HOUR, LogLike, as_log_arrays
from sim.fidelity.ngram import n_gram_distance
from sim.fidelity.relative import relative_event_distance


@dataclass(frozen=True)
class FidelityReport:
    """The measures of the Kirchdorfer et al. (ICPM 2024) protocol, same units as the package.

    ``n_gram_distance`` is the normalised 3-gram distance in [0, 1]; the four EMDs are in
    hours (hour bins). The case counts and the original's mean cycle time give the scale
    against which the hour-valued measures are judged (see :func:`sim.fidelity.verdict`).
    """

    n_gram_distance: float
    absolute_event_emd_hours: float
    circadian_event_emd_hours: float
    relative_event_emd_hours: float
    cycle_time_emd_hours: float
    original_cases: int
    simulated_cases: int
    original_mean_cycle_time_hours: float

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def compare_logs(original: LogLike, simulated: LogLike) -> FidelityReport:
    """Compare a simulated log with the real log of the same period (inputs are validated once)."""
    first, second = as_log_arrays(original, "original"), as_log_arrays(simulated, "simulated")
    return FidelityReport(
        n_gram_distance=n_gram_distance(first, second, n=3),
        absolute_event_emd_hours=absolute_event_distance(first, second),
        circadian_event_emd_hours=circadian_event_distance(first, second),
        relative_event_emd_hours=relative_event_distance(first, second),
        cycle_time_emd_hours=cycle_time_distance(first, second),
        original_cases=first.n_cases,
        simulated_cases=second.n_cases,
        original_mean_cycle_time_hours=float(first.cycle_times_ns().mean() / NS_PER_HOUR),
    )
