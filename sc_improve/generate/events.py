"""Collects generated events stage by stage and assembles the final event table.

Each process stage adds one chunk: the cases it applies to and their start and end
times, resources and attributes, all as numpy arrays. Keeping chunks until the end
means a 5M-event log costs one concatenation and one sort, never a per-event
Python object. Text columns become categoricals (a few bytes per event).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sc_improve.generate.calendar import DAY

AttributeValues = np.ndarray | pd.Categorical


@dataclass
class _Chunk:
    activity: int
    cases: np.ndarray
    start: np.ndarray
    end: np.ndarray
    resource: np.ndarray
    attributes: dict[str, AttributeValues]


@dataclass
class EventBuffer:
    """Events of one simulation, in the order the stages produced them."""

    labels: list[str] = field(default_factory=list)
    chunks: list[_Chunk] = field(default_factory=list)

    def add(
        self,
        activity: str,
        cases: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
        resource: np.ndarray,
        attributes: dict[str, AttributeValues] | None = None,
    ) -> None:
        """Append one stage's events; the arrays are copied, as callers keep updating
        their per-case clocks in place."""
        if len(cases) == 0:
            return
        if activity not in self.labels:
            self.labels.append(activity)
        self.chunks.append(
            _Chunk(
                self.labels.index(activity),
                np.array(cases, dtype=np.int32),
                np.array(start, dtype=np.int64),
                np.array(end, dtype=np.int64),
                np.broadcast_to(np.asarray(resource, dtype=np.int32), len(cases)),
                dict(attributes or {}),
            )
        )

    def events_per_case(self, n_cases: int) -> np.ndarray:
        counts = np.zeros(n_cases, dtype=np.int64)
        for chunk in self.chunks:
            counts += np.bincount(chunk.cases, minlength=n_cases)
        return counts

    def to_frame(
        self,
        keep: np.ndarray,
        case_ids: np.ndarray,
        case_attributes: dict[str, AttributeValues],
        resources: list[str],
    ) -> pd.DataFrame:
        """The event table of the kept cases, sorted by case, end time and start time.

        ``keep`` is a mask over the simulated cases; the kept ones get ``case_ids`` in
        their original (arrival) order. Timestamps falling exactly on midnight are moved
        one second on, so that in generated data a midnight timestamp always means the
        injected "date only" imperfection (see :mod:`sc_improve.generate.noise`); the
        shift is monotone, so the order within a case is unchanged.
        """
        new_code = np.cumsum(keep) - 1
        cases = np.concatenate([c.cases for c in self.chunks])
        selected = np.flatnonzero(keep[cases])
        cases = new_code[cases[selected]].astype(np.int32)
        start = self._times("start", selected)
        end = self._times("end", selected)
        order = np.lexsort((start, end, cases))
        source = selected[order]  # position of each output row in the concatenated chunks
        del selected
        cases = cases[order]
        start = _as_datetime(start[order])
        end = _as_datetime(end[order])
        del order

        sizes = [len(c.cases) for c in self.chunks]
        activity = np.repeat(np.array([c.activity for c in self.chunks], dtype=np.int16), sizes)[source]
        resource = np.concatenate([c.resource for c in self.chunks])[source]
        columns: dict[str, object] = {
            "case_id": pd.Categorical.from_codes(cases, categories=pd.Index(case_ids)),
            "activity": pd.Categorical.from_codes(activity, categories=pd.Index(self.labels)),
            "start_time": start,
            "end_time": end,
            "resource": pd.Categorical.from_codes(resource, categories=pd.Index(resources)),
        }
        for name, values in case_attributes.items():
            columns[name] = _take(values[keep], cases)
        for name in self._attribute_names():
            columns[name] = self._event_attribute(name)[source]
        return pd.DataFrame(columns, copy=False)

    def _times(self, which: str, selected: np.ndarray) -> np.ndarray:
        """Start or end seconds of the selected events, moved off midnight (in place)."""
        seconds = np.concatenate([getattr(c, which) for c in self.chunks])[selected]
        seconds += seconds % DAY == 0
        return seconds

    def _attribute_names(self) -> list[str]:
        names: list[str] = []
        for chunk in self.chunks:
            names.extend(n for n in chunk.attributes if n not in names)
        return names

    def _event_attribute(self, name: str) -> AttributeValues:
        """One attribute over all chunks; chunks without it get missing values."""
        parts = [(len(c.cases), c.attributes.get(name)) for c in self.chunks]
        sample = next(values for _, values in parts if values is not None)
        if isinstance(sample, pd.Categorical):
            categories = pd.Index(
                pd.unique(np.concatenate([v.categories.to_numpy() for _, v in parts if v is not None]))
            )
            codes = [
                np.full(size, -1, dtype=np.int32)
                if values is None
                else np.append(categories.get_indexer(values.categories), -1).astype(np.int32)[values.codes]
                for size, values in parts
            ]
            return pd.Categorical.from_codes(np.concatenate(codes), categories=categories)
        if np.issubdtype(sample.dtype, np.integer):
            values = np.concatenate([np.zeros(size, np.int64) if v is None else v for size, v in parts])
            missing = np.concatenate([np.full(size, v is None) for size, v in parts])
            return pd.arrays.IntegerArray(values, missing)
        return np.concatenate([np.full(size, np.nan) if v is None else v.astype(float) for size, v in parts])


def _as_datetime(seconds: np.ndarray) -> np.ndarray:
    seconds *= 1_000_000_000
    return seconds.view("datetime64[ns]")


def _take(values: AttributeValues, index: np.ndarray) -> AttributeValues:
    if isinstance(values, pd.Categorical):
        return pd.Categorical.from_codes(values.codes[index], categories=values.categories)
    return values[index]
