"""Bottleneck and performance analysis: where and why cases lose time.

:func:`find_bottlenecks` runs everything and ranks the bottlenecks; the analyses it is
built from are public on their own. Pass one :func:`event_times` to several of them to
measure the times once. Definitions are in docs/BOTTLENECKS.md.
"""

from sc_improve.performance.activity_times import ActivityTime, ActivityTimes, activity_times
from sc_improve.performance.bottlenecks import Bottleneck, BottleneckReport, find_bottlenecks
from sc_improve.performance.cycle_time import CycleTimeResult, HistogramBin, case_durations, cycle_time
from sc_improve.performance.drivers import Driver, DriversResult, GroupEffect
from sc_improve.performance.resources import Handoff, ResourceResult, ResourceSummary, resource_analysis
from sc_improve.performance.rework import ReworkActivity, ReworkResult, find_rework
from sc_improve.performance.timing import EventTimes, event_times
from sc_improve.performance.transitions import TransitionTime, TransitionTimes, transition_times

__all__ = [
    "ActivityTime",
    "ActivityTimes",
    "Bottleneck",
    "BottleneckReport",
    "CycleTimeResult",
    "Driver",
    "DriversResult",
    "EventTimes",
    "GroupEffect",
    "Handoff",
    "HistogramBin",
    "ResourceResult",
    "ResourceSummary",
    "ReworkActivity",
    "ReworkResult",
    "TransitionTime",
    "TransitionTimes",
    "activity_times",
    "case_durations",
    "cycle_time",
    "event_times",
    "find_bottlenecks",
    "find_rework",
    "resource_analysis",
    "transition_times",
]
