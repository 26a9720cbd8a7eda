"""Composable log filters: each a small dataclass that can be saved as a dict and replayed.

Every filter computes a boolean mask over the log's integer codes (per case or per
event) and selects the frame once; see docs/DISCOVERY.md for what each one keeps.
"""

from sc_improve.discovery.filters.attribute import ActivityFilter, AttributeFilter
from sc_improve.discovery.filters.base import Filter
from sc_improve.discovery.filters.chain import FILTER_KINDS, apply_filters, filter_from_dict
from sc_improve.discovery.filters.sequence import EndpointFilter, FollowsFilter, VariantFilter
from sc_improve.discovery.filters.time import TIMEFRAME_MODES, DurationFilter, TimeframeFilter

__all__ = [
    "FILTER_KINDS",
    "TIMEFRAME_MODES",
    "ActivityFilter",
    "AttributeFilter",
    "DurationFilter",
    "EndpointFilter",
    "Filter",
    "FollowsFilter",
    "TimeframeFilter",
    "VariantFilter",
    "apply_filters",
    "filter_from_dict",
]
