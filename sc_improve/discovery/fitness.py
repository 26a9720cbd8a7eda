"""How well a Petri net explains the log: replay fitness by token replay or alignments.

Fitness tells whether a discovered model can be trusted as a description of the log
(1.0: every case is possible in the model). pm4py offers two methods:

* token-based replay: fast and linear in the log, but an approximation when the model
  has silent steps;
* alignments: exact (the fewest deviations needed to fit each case), but a search per
  trace that can get slow on large, unstructured models.

``method="auto"`` aligns every case when the log has at most ``max_cases_for_alignments``
cases (exact and still affordable) and uses token replay for larger logs. Asking for
``"alignments"`` on a larger log aligns a seeded random sample of that many cases, and
the result says so. Either way each distinct trace is replayed once and weighted by how
many cases follow it, which is what makes real logs (few variants, many cases) cheap.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from sc_improve.errors import AnalysisError, OptionError
from sc_improve.log.event_log import EventLog
from sc_improve.progress import ProgressCallback, ensure_progress

if TYPE_CHECKING:
    from pm4py.objects.petri_net.obj import Marking, PetriNet

ReplayMethod = Literal["token_replay", "alignments"]
FitnessMethod = Literal["auto", "token_replay", "alignments"]
_CHUNKS = 20
"""Progress is reported (and cancellation possible) after each of about this many chunks of traces."""


@dataclass(frozen=True)
class FitnessResult:
    """Replay fitness of a log on a model.

    ``log_fitness`` is 0..1 (pm4py's log-level fitness); ``percentage_of_fitting_traces``
    is 0..100. ``sampled`` is True when only ``cases_evaluated`` randomly chosen cases
    were aligned, so the numbers are estimates for the whole log.
    """

    method: ReplayMethod
    log_fitness: float
    percentage_of_fitting_traces: float
    cases_evaluated: int
    sampled: bool


def fitness(
    log: EventLog,
    net: PetriNet,
    initial_marking: Marking,
    final_marking: Marking,
    method: FitnessMethod = "auto",
    max_cases_for_alignments: int = 500,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> FitnessResult:
    """Replay fitness of ``log`` on the accepting Petri net; see the module docstring.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> from sc_improve.discovery.model import discover_petri_net
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "1"],
    ...     "concept:name": ["a", "b"], "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"])}))
    >>> fitness(log, *discover_petri_net(log, noise_threshold=0.0)).log_fitness
    1.0
    """
    if method not in ("auto", "token_replay", "alignments"):
        raise OptionError(f"unknown fitness method {method!r}; use auto, token_replay or alignments")
    if max_cases_for_alignments < 1:
        raise OptionError("max_cases_for_alignments must be at least 1")
    if log.n_events == 0:
        raise AnalysisError("the log has no events, so there is nothing to replay")
    report = ensure_progress(progress)
    traces = _traces(log)
    chosen: ReplayMethod
    if method == "auto":
        chosen = "alignments" if len(traces) <= max_cases_for_alignments else "token_replay"
    else:
        chosen = method
    sampled = chosen == "alignments" and len(traces) > max_cases_for_alignments
    if sampled:
        picks = np.random.default_rng(seed).choice(len(traces), size=max_cases_for_alignments, replace=False)
        traces = [traces[i] for i in np.sort(picks)]
    report(0.0, f"Replaying {len(traces):,} cases ({chosen.replace('_', ' ')})")
    variants = Counter(traces)
    replayed = _replay(list(variants), net, initial_marking, final_marking, chosen, report)
    weighted = [
        result for result, count in zip(replayed, variants.values(), strict=True) for _ in range(count)
    ]
    summary = _evaluate(weighted, chosen)
    report(1.0, "Fitness computed")
    return FitnessResult(
        method=chosen,
        log_fitness=float(summary["log_fitness"]),
        percentage_of_fitting_traces=float(summary["percentage_of_fitting_traces"]),
        cases_evaluated=len(traces),
        sampled=sampled,
    )


def _traces(log: EventLog) -> list[tuple[str, ...]]:
    """Each case's activity sequence, in case order."""
    codes = log.codes
    names = codes.activities
    starts = codes.case_starts
    return [tuple(names[codes.activity[a:b]]) for a, b in zip(starts[:-1], starts[1:], strict=True)]


def _replay(
    variants: list[tuple[str, ...]],
    net: PetriNet,
    initial_marking: Marking,
    final_marking: Marking,
    method: str,
    report: ProgressCallback,
) -> list[dict]:
    """pm4py's per-trace replay results, one per variant, computed in chunks for progress."""
    from pm4py.objects.log.obj import Event, Trace
    from pm4py.objects.log.obj import EventLog as Pm4pyLog

    if method == "alignments":
        from pm4py.algo.conformance.alignments.petri_net import algorithm as replayer
    else:
        from pm4py.algo.conformance.tokenreplay import algorithm as replayer
    parameters = {"show_progress_bar": False}
    size = max(1, -(-len(variants) // _CHUNKS))
    results: list[dict] = []
    for first in range(0, len(variants), size):
        chunk = Pm4pyLog(
            [Trace([Event({"concept:name": a}) for a in v]) for v in variants[first : first + size]]
        )
        results += replayer.apply(chunk, net, initial_marking, final_marking, parameters=parameters)
        report(
            min(first + size, len(variants)) / len(variants),
            f"Replayed {len(results):,} of {len(variants):,} variants",
        )
    return results


def _evaluate(results: list[dict], method: str) -> dict[str, float]:
    """Log-level fitness and share of fitting traces from per-trace replay results.

    For alignments the log fitness counts deviations only (cost in units of one log or
    model move, as pm4py does per trace): pm4py's own log-level figure also charges the
    tiny cost of silent steps, so a perfectly fitting log would score 0.999999.
    """
    if method == "token_replay":
        from pm4py.algo.evaluation.replay_fitness.variants import token_replay

        return token_replay.evaluate(results)
    from pm4py.objects.petri_net.utils.align_utils import STD_MODEL_LOG_MOVE_COST

    aligned = [r for r in results if r is not None]
    deviations = sum(r["cost"] // STD_MODEL_LOG_MOVE_COST for r in aligned)
    worst = sum(r["bwc"] // STD_MODEL_LOG_MOVE_COST for r in aligned)
    fitting = sum(1 for r in aligned if r["fitness"] == 1.0)
    return {
        "log_fitness": 1.0 - deviations / worst if worst > 0 else 0.0,
        "percentage_of_fitting_traces": 100.0 * fitting / len(aligned) if aligned else 0.0,
    }
