"""The readable text of a what-if comparison: fidelity gate, KPI tables, waiting by cause.

Kept apart from the command-line plumbing in ``sim.cli`` so that other front ends (a
report, the desktop app's text view) can print the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.compare import Comparison, Difference, Estimate, ScenarioResult, WaitingCause, WaitingCauses
    from sim.model import SimulationModel
    from sim.validate import ValidationReport

WAITING_ROWS = 8
"""Activities with the longest baseline waiting shown in the tables (the JSON has all)."""
LABEL_WIDTH = 48
"""Longer activity and pool names are cut in the tables (the JSON has them whole)."""


@dataclass(frozen=True)
class Warmup:
    """How long the run goes before its KPIs are measured, and where that length came from."""

    days: float
    basis: str
    """``--warmup-days``, ``log p90 cycle time`` or ``none``."""
    text: str


@dataclass(frozen=True)
class Fidelity:
    """The fidelity check of the as-is model, or why it was not run."""

    report: ValidationReport | None
    skipped: str | None

    @property
    def grade(self) -> str | None:
        """``good``, ``fair`` or ``poor``: the verdict's overall grade."""
        return None if self.report is None else self.report.grade


def format_comparison(
    comparison: Comparison,
    model: SimulationModel,
    fidelity: Fidelity | None = None,
    warmup: Warmup | None = None,
) -> str:
    """The readable report: the model's fidelity, baseline KPIs with intervals, waiting by
    cause with the change that addresses it, then each scenario against the baseline."""
    horizon = comparison.horizon
    span = f"{horizon['cases']} cases" if horizon["cases"] else f"{horizon['days']:g} days"
    start = horizon["start"] or model.start or "the model's start"
    lines = [
        f"Simulated {span} from {start}, {comparison.replications} replications (seed {comparison.seed}); "
        f"[low, high] = {comparison.confidence:.0%} confidence interval of the mean.",
    ]
    if warmup is not None:
        lines.append(f"Warm-up before measuring: {warmup.text}.")
    if fidelity is not None:
        lines += ["", *_fidelity_lines(fidelity)]
    lines += ["", f"Baseline ({comparison.baseline.description})"]
    baseline_rows = _rows(comparison.baseline, comparison)
    lines += text_table(
        ["KPI", "mean [low, high]"], [[label, _estimate_text(e)] for label, e in baseline_rows]
    )
    lines += ["", *_waiting_lines(comparison.waiting_causes[:WAITING_ROWS])]
    caveat = _fidelity_caveat(fidelity)
    for scenario in comparison.scenarios:
        description = " ".join(scenario.description.split())
        title = f"Scenario '{scenario.name}'" + (f": {description}" if description else "")
        lines += ["", title + (f" [{caveat}]" if caveat else "")]
        lines += text_table(
            ["KPI", "baseline", "scenario [low, high]", "difference [low, high]"],
            [_scenario_row(label, base, scenario) for label, base in baseline_rows],
        )
    notes = [
        "[low, high] of a KPI that cannot be negative is cut at 0 (shares at 100 %); "
        "'n=1' marks a KPI seen in one replication only, which has no interval."
    ]
    if comparison.scenarios:
        notes.append(
            "* significant: the interval of the paired difference (common random numbers) excludes 0."
        )
    return "\n".join([*lines, "", *notes])


def _fidelity_lines(fidelity: Fidelity) -> list[str]:
    report = fidelity.report
    if report is None:
        return [f"Fidelity of the model: not checked ({fidelity.skipped})."]
    lines = [
        f"Fidelity of the as-is model (trained on the log up to {report.split_at}, {report.test_cases} "
        f"held-out cases simulated {report.replications} times; details: sc-improve validate):",
        *(f"  {line}" for line in report.verdict.splitlines()),
    ]
    if fidelity.grade == "poor":
        lines.append(
            "WARNING: the model reproduces the log poorly; read the what-if results as directions, "
            "not figures, and check the aspects graded poor above before acting on them."
        )
    return lines


def _fidelity_caveat(fidelity: Fidelity | None) -> str:
    if fidelity is None:
        return ""
    if fidelity.grade is None:
        return "model fidelity not checked"
    return f"model fidelity: {fidelity.grade}" + (
        ", read as direction only" if fidelity.grade == "poor" else ""
    )


_CAUSE_LABELS = {"busy": "busy resources", "offshift": "off-shift", "extraneous": "extraneous"}


def _waiting_lines(causes: list[WaitingCauses]) -> list[str]:
    """Waiting by cause for the activities that wait longest, with the change for the largest cause."""
    if not causes:
        return []
    rows = []
    for activity in causes:
        seconds = {cause.cause: cause.mean_s for cause in activity.causes}
        main = activity.causes[0]
        rows.append(
            [
                _shorten(activity.activity),
                _value(activity.total_s, "s"),
                *(_value(seconds[cause], "s") for cause in _CAUSE_LABELS),
                _remedy_text(main, activity.activity) if main.mean_s > 0 else "",
            ]
        )
    return [
        "Waiting before an activity by cause (baseline, mean per instance), and the scenario change "
        "for the largest cause:",
        *text_table(["activity", "total", *_CAUSE_LABELS.values(), "change to try"], rows),
        "  staff / working_hours name the pool by the activity it does most, as a scenario file may;",
        "  extraneous = waiting that busy or absent people do not explain (vendors, hand-overs);",
        "  delay: ACTIVITY with duration_factor or probability_factor tries a shorter or rarer one.",
    ]


def _remedy_text(cause: WaitingCause, activity: str) -> str:
    remedy = cause.remedy
    label = _CAUSE_LABELS[cause.cause]
    if remedy is None:
        return label
    return f"{label}: {remedy.change}: {_shorten(activity)}"


def _rows(result: ScenarioResult, comparison: Comparison) -> list[tuple[str, Estimate]]:
    """Scalar KPIs, then waiting for the activities that wait longest (by baseline waiting),
    then utilisation, busiest pool first."""
    scalars, utilisation = [], []
    for estimate in result.estimates:
        if estimate.subject is None:
            if estimate.kpi == "within_target_share" and comparison.target_lead_time_s is None:
                continue
            scalars.append((_LABELS[estimate.kpi], estimate))
        elif estimate.kpi == "utilisation":
            utilisation.append((f"utilisation of {_shorten(estimate.subject)}", estimate))
    waits = [
        (f"waiting before {_shorten(w.activity)}", result.estimate("waiting_mean_s", w.activity))
        for w in comparison.waiting_causes[:WAITING_ROWS]
    ]
    return [*scalars, *waits, *sorted(utilisation, key=lambda row: -_sortable(row[1].mean))]


def _sortable(value: float) -> float:
    return value if value == value else -1.0


def _scenario_row(label: str, base: Estimate, scenario: ScenarioResult) -> list[str]:
    key = (base.kpi, base.subject)
    estimate = next((e for e in scenario.estimates if (e.kpi, e.subject) == key), None)
    difference = next((d for d in scenario.differences if (d.kpi, d.subject) == key), None)
    if estimate is None:
        return [label, _value(base.mean, base.unit), "(gone)", ""]
    if difference is None:
        return [label, _value(base.mean, base.unit), _estimate_text(estimate), "(not in every replication)"]
    mark = " *" if difference.significant else ""
    return [
        label,
        _value(base.mean, base.unit),
        _estimate_text(estimate),
        _difference_text(difference) + mark,
    ]


def _shorten(name: str, width: int = LABEL_WIDTH) -> str:
    """Discovered pools are named "role: <activity> / <activity>"; cut long names with an ellipsis."""
    return name if len(name) <= width else name[: width - 1].rstrip() + "…"


_LABELS = {
    "cycle_time_mean_s": "cycle time, mean",
    "cycle_time_median_s": "cycle time, median",
    "cycle_time_p90_s": "cycle time, 90th percentile",
    "throughput_per_week": "completed cases per week",
    "wip_mean": "work in progress (cases)",
    "cost_per_case": "cost per case",
    "cost_per_week": "cost per week",
    "within_target_share": "within target lead time",
    "cases_completed": "completed cases",
}


def _value(value: float, unit: str) -> str:
    from sc_improve.units import human_duration

    if value != value:
        return "n/a"
    if unit == "s":
        return human_duration(0.0 if abs(value) < 0.05 else value)  # float noise would read "-0 s"
    if unit == "share":
        return f"{value:.1%}"
    return f"{value:,.2f}" if unit == "cost" else f"{value:,.1f}"


def _estimate_text(estimate: Estimate) -> str:
    text = _value(estimate.mean, estimate.unit)
    if estimate.n < 2:
        return f"{text} (n={estimate.n})"
    return f"{text} [{_value(estimate.ci_low, estimate.unit)}, {_value(estimate.ci_high, estimate.unit)}]"


def _difference_text(difference: Difference) -> str:
    unit = difference.unit
    sign = "+" if difference.mean > 0 else ""
    if unit == "share":
        text = f"{difference.mean * 100:+.1f} pp"
        bounds = f"{difference.ci_low * 100:+.1f}, {difference.ci_high * 100:+.1f}"
    else:
        text = sign + _value(difference.mean, unit)
        bounds = f"{_value(difference.ci_low, unit)}, {_value(difference.ci_high, unit)}"
    if difference.relative == difference.relative and unit != "share":
        text += f" ({difference.relative:+.1%})"
    return f"{text} [{bounds}]" if difference.n >= 2 else f"{text} (n={difference.n})"


def text_table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
        for row in [header, *rows]
    ]
