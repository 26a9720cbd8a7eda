"""A progress bar on stderr for the CLI, behind the core's progress-callback protocol."""

from __future__ import annotations

import sys
from types import TracebackType

from tqdm import tqdm


class TerminalProgress:
    """Draws one bar on stderr; silent with ``quiet`` or when stderr is not a terminal.

    Core functions report fractions in 0..1; the bar shows percent and the current step.
    """

    def __init__(self, description: str, quiet: bool = False) -> None:
        enabled = not quiet and sys.stderr.isatty()
        self._bar = tqdm(
            total=100,
            desc=description,
            file=sys.stderr,
            disable=not enabled,
            leave=False,
            bar_format="{desc}: {percentage:3.0f}%|{bar:30}| {postfix}",
        )

    def __call__(self, fraction: float, message: str = "") -> None:
        target = int(round(min(max(fraction, 0.0), 1.0) * 100))
        if target > self._bar.n:
            self._bar.update(target - self._bar.n)
        if message:
            self._bar.set_postfix_str(message, refresh=True)

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._bar.close()
