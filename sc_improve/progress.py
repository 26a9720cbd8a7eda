"""Progress reporting and cancellation for long-running core functions.

Core functions take an optional ``progress(fraction, message)`` callable. A GUI
passes one that updates a progress bar and raises :class:`Cancelled` when the user
pressed Cancel; the CLI passes one that draws a bar on stderr. Raising from the
callback is the only cancellation mechanism, so core code needs no thread or Qt
knowledge: it just reports progress at safe points.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Cancelled(Exception):
    """Raised from a progress callback to abandon the running operation."""


class ProgressCallback(Protocol):
    def __call__(self, fraction: float, message: str = "") -> None: ...


def null_progress(fraction: float, message: str = "") -> None:
    """Progress sink used when the caller passes none."""


def ensure_progress(progress: ProgressCallback | None) -> ProgressCallback:
    return progress if progress is not None else null_progress


def subrange(progress: ProgressCallback | None, start: float, end: float) -> ProgressCallback:
    """Map a step's own 0..1 progress onto ``start..end`` of the caller's bar.

    >>> seen = []
    >>> step = subrange(lambda f, m="": seen.append(round(f, 2)), 0.5, 1.0)
    >>> step(0.5, "half of the second half")
    >>> seen
    [0.75]
    """
    outer = ensure_progress(progress)
    span = end - start

    def report(fraction: float, message: str = "") -> None:
        outer(start + span * min(max(fraction, 0.0), 1.0), message)

    return report


def steps(progress: ProgressCallback | None, names: list[str]) -> Callable[[int], ProgressCallback]:
    """Split the bar evenly over named steps; ``steps(p, names)(i)`` is step i's callback."""
    count = max(len(names), 1)

    def step(index: int) -> ProgressCallback:
        sub = subrange(progress, index / count, (index + 1) / count)
        sub(0.0, names[index])
        return sub

    return step
