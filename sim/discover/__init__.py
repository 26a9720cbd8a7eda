"""Discover a simulation model from an event log (see :func:`discover_model`)."""

from __future__ import annotations

from sim.discover.discover import discover_model
from sim.discover.options import DiscoveryOptions
from sim.discover.result import DelayRow, Discovery, DiscoveryDiagnostics, FitRow, PoolRow, WaitingRow

__all__ = [
    "DelayRow",
    "Discovery",
    "DiscoveryDiagnostics",
    "DiscoveryOptions",
    "FitRow",
    "PoolRow",
    "WaitingRow",
    "discover_model",
]
