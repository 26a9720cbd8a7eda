"""Knobs of model discovery, with defaults that suit ERP logs of a few hundred cases or more."""

from __future__ import annotations

from dataclasses import dataclass

from sc_improve.errors import OptionError


@dataclass(frozen=True)
class DiscoveryOptions:
    """Thresholds of :func:`sim.discover.discover_model`.

    ``routing_order`` 2 reproduces the log's 3-grams (what the fidelity measure compares);
    contexts seen fewer than ``min_context_support`` times back off to shorter ones.
    ``role_similarity`` is the correlation of two people's activity profiles above which
    they share a role (pool). ``min_delay_support`` instances are needed before a delay
    gets its own predecessor-specific fit. ``recent_share`` is the latest part of the log
    whose unexplained waiting is used for delays when waiting drifted over the log.
    ``choose_delay_clock`` lets each delay run in the working hours of its activity's
    resources when that reproduces the log's start and end hours better than the wall
    clock. ``merge_label_spellings`` and ``exclude_time_outliers`` prepare the log as
    ``sc-improve analyze`` does: activity and resource labels differing only in case,
    spaces or punctuation are merged, and cases with implausible timestamps are left out
    when they are at most 5 % of the cases.
    """

    routing_order: int = 2
    min_context_support: int = 5
    role_similarity: float = 0.7
    min_pool_share: float = 0.01
    min_calendar_share: float = 0.1
    min_resource_events: int = 20
    min_delay_support: int = 20
    min_delay_seconds: float = 60.0
    min_group_for_own_duration: int = 30
    min_empirical_values: int = 50
    parametric_tolerance: float = 0.1
    max_attribute_values: int = 10
    max_conditional_attributes: int = 5
    min_conditional_support: int = 30
    min_conditional_change: float = 0.2
    concurrency_share: float = 0.5
    min_concurrency_support: int = 5
    recent_share: float = 0.3
    drift_factor: float = 1.5
    detect_system_users: bool = True
    choose_delay_clock: bool = True
    merge_label_spellings: bool = True
    exclude_time_outliers: bool = True

    def __post_init__(self) -> None:
        if self.routing_order < 1:
            raise OptionError(f"routing_order must be at least 1, not {self.routing_order}")
        if not 0 < self.role_similarity <= 1:
            raise OptionError(f"role_similarity is a correlation in (0, 1], not {self.role_similarity}")
        if not 0 < self.recent_share <= 1:
            raise OptionError(f"recent_share is a share of the log in (0, 1], not {self.recent_share}")
