"""Automate-then-simulate: the top automation candidates as ready-made scenarios.

``sc_improve.automation.score_automation`` ranks activities and names a kind of
automation for each; here each of the top candidates becomes a scenario the engine can
run, so the analyst sees the effect downstream (queues that shrink or move), not only
the hours saved. The assumptions per kind are named constants below and written into
the scenario's description, so they can be questioned and edited.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.model import SimulationModel
from sim.scenarios.changes import Automate, RemoveActivity
from sim.scenarios.scenario import Scenario

if TYPE_CHECKING:
    from sc_improve.automation.candidates import Candidate, CandidateReport

RPA_DURATION_FACTOR = 0.2
"""A software robot types and clicks about five times faster than a person."""
RPA_EXCEPTION_RATE = 0.15
"""Share of runs a robot hands back to a person (unreadable input, missing master data)."""
SYSTEM_STEP_DURATION_FACTOR = 0.01
"""Rules and interfaces answer in seconds where people took minutes."""
AUTO_APPROVAL_EXCEPTION_RATE = 0.2
"""Share of approvals above the auto-approval threshold that a person still decides."""
INTEGRATION_EXCEPTION_RATE = 0.05
"""Share of interface messages that fail and are handled by hand."""
BOT_TARGET_UTILISATION = 0.5
"""Bots are sized so that the expected bot work fills at most half their hours."""
HOURS_PER_YEAR = 8_760.0

_KINDS = {
    "RPA": (RPA_DURATION_FACTOR, RPA_EXCEPTION_RATE, True),
    "workflow auto-approval": (SYSTEM_STEP_DURATION_FACTOR, AUTO_APPROVAL_EXCEPTION_RATE, False),
    "system integration": (SYSTEM_STEP_DURATION_FACTOR, INTEGRATION_EXCEPTION_RATE, False),
}
"""Kind -> (duration factor, exception rate, runs on bots); system steps need no resource."""


def scenarios_from_candidates(
    report: CandidateReport, model: SimulationModel, top: int = 3
) -> list[Scenario]:
    """One scenario for each of the ``top`` best-scored candidates that the model contains.

    RPA runs on a 24/7 bot pool sized from the candidate's yearly manual hours; auto-approval
    and integration become system steps (no resource) with a residual manual share;
    elimination removes the activity (its cause fixed), with routing renormalised.
    """
    chosen = [c for c in report.candidates if c.activity in model.activities][:top]
    return [_scenario(candidate) for candidate in chosen]


def _scenario(candidate: Candidate) -> Scenario:
    if candidate.kind not in _KINDS:
        return Scenario(
            name=f"eliminate {candidate.activity}",
            changes=(RemoveActivity(candidate.activity),),
            description=(
                f"'{candidate.activity}' is rework or a reversal (automation score {candidate.score:.0f}): "
                "its cause is fixed and the step disappears; cases go where it would have led."
            ),
        )
    factor, exceptions, on_bots = _KINDS[candidate.kind]
    bots = _bots_needed(candidate.savings_hours_per_year * factor) if on_bots else 0
    where = f"{bots} bot{'s' if bots != 1 else ''} working 24/7" if bots else "a system step (no resource)"
    return Scenario(
        name=f"automate {candidate.activity}",
        changes=(
            Automate((candidate.activity,), duration_factor=factor, bots=bots, exception_rate=exceptions),
        ),
        description=(
            f"{candidate.kind} of '{candidate.activity}' (automation score {candidate.score:.0f}): "
            f"{where}, {factor:g} x the manual duration, {exceptions:.0%} of cases still done by hand."
        ),
    )


def _bots_needed(bot_hours_per_year: float) -> int:
    return max(1, math.ceil(bot_hours_per_year / (HOURS_PER_YEAR * BOT_TARGET_UTILISATION)))
