"""What every filter shares: saving to a dict, and selecting cases or events in one step.

A filter computes a boolean mask over the log's integer codes (per case or per
event) and then selects the frame once. The result is a new :class:`EventLog` with a
note saying what the filter kept, so reports can state how the data was narrowed. A
filter that would leave nothing raises :class:`AnalysisError` naming itself, because
an empty log cannot be analysed and the user needs to know which setting did it.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from typing import Any, ClassVar, Self

import numpy as np

from sc_improve.errors import AnalysisError, OptionError
from sc_improve.log.event_log import EventLog


class Filter(ABC):
    """A saved, replayable narrowing of a log. Subclasses are frozen dataclasses."""

    kind: ClassVar[str]
    """The ``"kind"`` key in :meth:`to_dict`, used by ``filter_from_dict`` to rebuild it."""

    @abstractmethod
    def apply(self, log: EventLog) -> EventLog:
        """The filtered log (a new object; ``log`` is unchanged)."""

    @abstractmethod
    def describe(self) -> str:
        """A short human description, used in notes and error messages."""

    def named_activities(self) -> tuple[str, ...]:
        """Activity names in the settings, so an error can point out the ones the log lacks."""
        return ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready settings: ``{"kind": ..., <field>: <value>, ...}`` (tuples become lists)."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        return {"kind": self.kind, **{k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild a filter from :meth:`to_dict` output; unknown keys are an error."""
        settings = {k: v for k, v in data.items() if k != "kind"}
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(settings) - names)
        if unknown:
            raise OptionError(f"{cls.kind} filter has no setting {', '.join(unknown)}")
        return cls(**settings)


def keep_cases(log: EventLog, applied: Filter, case_mask: np.ndarray) -> EventLog:
    """Keep the events of the cases where ``case_mask`` (one entry per case) is True."""
    return keep_events(log, applied, case_mask[log.codes.case])


def keep_events(log: EventLog, applied: Filter, event_mask: np.ndarray) -> EventLog:
    """Keep the events where ``event_mask`` (one entry per frame row) is True."""
    kept_events = int(np.count_nonzero(event_mask))
    if kept_events == 0:
        known = set(log.codes.activities.tolist())
        unknown = [repr(name) for name in applied.named_activities() if name not in known]
        hint = f" ({', '.join(unknown)}: not an activity of this log)" if unknown else ""
        raise AnalysisError(
            f"the filter '{applied.describe()}' removed every event{hint}; nothing is left to analyse"
        )
    kept_cases = int(np.count_nonzero(np.bincount(log.codes.case[event_mask], minlength=log.n_cases)))
    note = (
        f"filter '{applied.describe()}': kept {kept_cases:,} of {log.n_cases:,} cases "
        f"and {kept_events:,} of {log.n_events:,} events"
    )
    return log.with_frame(log.frame[event_mask], note)


def as_tuple(values: object) -> tuple:
    """Settings given as a list (e.g. from JSON) or a single string, as a tuple."""
    if values is None:
        return ()
    if isinstance(values, str):
        return (values,)
    return tuple(values)  # type: ignore[arg-type]


def activity_mask(activities: np.ndarray, names: tuple) -> np.ndarray:
    """Per activity code: whether its name is among ``names`` (names not in the log match nothing)."""
    wanted = set(names)
    return np.fromiter((name in wanted for name in activities), dtype=bool, count=len(activities))
