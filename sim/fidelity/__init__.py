"""How close is a simulated log to the real one? The ``log-distance-measures`` definitions, vectorised.

Issue 4 validates a discovered simulation model by simulating a held-out period and
comparing the result with the real log using the measures of the ``log-distance-measures``
package (v2.2.0, Chapela-Campa et al.) as the Kirchdorfer et al. (ICPM 2024) protocol calls
them. That package needs pandas < 3, so the same definitions are implemented here on
numpy columns; ``bench/crosscheck_fidelity.py`` compares the two on real and generated logs.
Every function takes two logs as pandas frames with sc-improve's canonical column names
(start time optional) or as :class:`sc_improve.log.event_log.EventLog`.
"""

from __future__ import annotations

from sim.fidelity.absolute import absolute_event_distance
from sim.fidelity.circadian import circadian_event_distance
from sim.fidelity.cycle_time import cycle_time_distance
from sim.fidelity.ngram import n_gram_distance
from sim.fidelity.relative import relative_event_distance
from sim.fidelity.report import FidelityReport, compare_logs
from sim.fidelity.verdict import overall_grade, verdict

__all__ = [
    "FidelityReport",
    "absolute_event_distance",
    "circadian_event_distance",
    "compare_logs",
    "cycle_time_distance",
    "n_gram_distance",
    "overall_grade",
    "relative_event_distance",
    "verdict",
]
