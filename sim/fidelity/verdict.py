"""A plain-words reading of a :class:`FidelityReport`, with thresholds whose origin is stated.

Only the 3-gram thresholds rest on published figures. On PurchasingExample under the
Kirchdorfer et al. (ICPM 2024) protocol, as quoted in issue 4, AgentSimulator reaches a
3-gram distance of 0.240 and a cycle-time EMD of 558 h, Simod 0.415 and 677 h (means of
10 simulation runs). So "good" means "as close as the best published tool", "fair"
"about Simod's level" and "poor" "worse than both".

The hour-valued measures depend on the log's time scale, so they are judged as a
fraction of the real log's mean cycle time. The published cycle-time EMDs are about
1.1-1.3 times the 515 h mean cycle time of the whole PurchasingExample log (the held-out
part they were measured on may differ); "fair" up to 1.5 therefore covers today's
tools, and "good" (below 0.5) is our own, stricter rule of thumb. The same fractions are
used for the absolute and relative event EMDs, and one and three hours for the circadian
EMD, as rules of thumb without a published basis: one hour is the bin width, and a
weekday with events in only one log alone adds 23/7 = 3.3 h, which must read "poor".
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.fidelity.report import FidelityReport

GRADES = ("good", "fair", "poor")


@dataclass(frozen=True)
class Threshold:
    """``value < good_below`` is good, ``value < fair_below`` fair, anything else poor."""

    good_below: float
    fair_below: float

    def grade(self, value: float) -> str:
        if value < self.good_below:
            return "good"
        return "fair" if value < self.fair_below else "poor"


N_GRAM = Threshold(good_below=0.25, fair_below=0.45)
"""Published basis: AgentSimulator 0.240, Simod 0.415 on PurchasingExample."""
TIME_SHARE_OF_MEAN_CYCLE_TIME = Threshold(good_below=0.5, fair_below=1.5)
"""Hour-valued EMD divided by the real mean cycle time; published tools score 1.1-1.3 on cycle time."""
CIRCADIAN_HOURS = Threshold(good_below=1.0, fair_below=3.0)
"""Rule of thumb (see the module docstring)."""


def verdict(report: FidelityReport) -> str:
    """One line per aspect plus an overall grade (the weakest aspect decides)."""
    graded = _graded_aspects(report)
    lines = [f"{aspect}: {grade} ({detail})" for aspect, grade, detail in graded]
    return "\n".join([f"Overall: {_weakest(graded)} (the weakest aspect decides)", *lines])


def overall_grade(report: FidelityReport) -> str:
    """``good``, ``fair`` or ``poor``: the weakest aspect's grade, as the verdict's first line says."""
    return _weakest(_graded_aspects(report))


def _weakest(graded: list[tuple[str, str, str]]) -> str:
    return GRADES[max(GRADES.index(grade) for _, grade, _ in graded)]


def _graded_aspects(report: FidelityReport) -> list[tuple[str, str, str]]:
    mean_hours = report.original_mean_cycle_time_hours
    graded = [
        (
            "Control flow",
            N_GRAM.grade(report.n_gram_distance),
            f"3-gram distance {report.n_gram_distance:.3f}; published on PurchasingExample: "
            "AgentSimulator 0.240, Simod 0.415",
        ),
        _time_aspect("Cycle times", report.cycle_time_emd_hours, mean_hours),
        _time_aspect("Timing inside cases", report.relative_event_emd_hours, mean_hours),
        _time_aspect("Timing over the period", report.absolute_event_emd_hours, mean_hours),
        (
            "Time of week",
            CIRCADIAN_HOURS.grade(report.circadian_event_emd_hours),
            f"circadian EMD {report.circadian_event_emd_hours:.2f} h; rule of thumb: good below 1 h, "
            "fair below 3 h",
        ),
    ]
    return graded


def _time_aspect(aspect: str, emd_hours: float, mean_cycle_time_hours: float) -> tuple[str, str, str]:
    share = _share(emd_hours, mean_cycle_time_hours)
    detail = (
        f"EMD {emd_hours:.1f} h = {share:.2f} x the real mean cycle time of {mean_cycle_time_hours:.1f} h; "
        "good below 0.5, fair below 1.5"
    )
    return aspect, TIME_SHARE_OF_MEAN_CYCLE_TIME.grade(share), detail


def _share(emd_hours: float, mean_cycle_time_hours: float) -> float:
    if mean_cycle_time_hours > 0:
        return emd_hours / mean_cycle_time_hours
    return 0.0 if emd_hours == 0 else float("inf")
