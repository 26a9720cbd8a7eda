"""sc-improve: process mining for supply-chain and ERP event logs, without a GUI.

The flat public API, usable from a notebook or a script::

    import sc_improve as sci

    log = sci.read_log("sample_logs/p2p_generated.csv")      # CSV, Excel, Parquet, XES, OCEL 2.0
    report = sci.check_quality(log)                          # data-quality findings
    log = sci.apply_filters(log, [sci.VariantFilter(coverage=0.8)])
    process_map = sci.simplify_map(sci.discover_map(log), activities=80, paths=40)
    sci.write_map(process_map, "map.svg", metric="performance")
    bottlenecks = sci.find_bottlenecks(log)                  # ranked by impact
    analysis = sci.analyze_log(log)                          # all of it, as the CLI does

Names are imported on first use, so ``import sc_improve`` stays fast and pulls in
neither pm4py nor scikit-learn until an analysis needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sc_improve.lazy_exports import lazy_exports

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # the event log
    "EventLog": "sc_improve.log.event_log",
    "make_event_log": "sc_improve.log.event_log",
    "read_log": "sc_improve.log.read",
    "log_from_frame": "sc_improve.log.read",
    "preview_table": "sc_improve.log.read",
    "suggest_for_file": "sc_improve.log.read",
    "describe_mapping": "sc_improve.log.read",
    "ColumnMapping": "sc_improve.log.mapping",
    "MappingSuggestion": "sc_improve.log.mapping",
    "load_mapping": "sc_improve.log.mapping",
    "save_mapping": "sc_improve.log.mapping",
    "list_object_types": "sc_improve.log.readers.ocel",
    # data quality
    "check_quality": "sc_improve.quality",
    "apply_fix": "sc_improve.quality",
    "QualityReport": "sc_improve.quality",
    "Finding": "sc_improve.quality",
    # discovery
    "discover_map": "sc_improve.discovery.dfg",
    "simplify_map": "sc_improve.discovery.simplify",
    "ProcessMap": "sc_improve.discovery.process_map",
    "discover_variants": "sc_improve.discovery.variants",
    "apply_filters": "sc_improve.discovery.filters",
    "filter_from_dict": "sc_improve.discovery.filters",
    "TimeframeFilter": "sc_improve.discovery.filters",
    "AttributeFilter": "sc_improve.discovery.filters",
    "VariantFilter": "sc_improve.discovery.filters",
    "DurationFilter": "sc_improve.discovery.filters",
    "EndpointFilter": "sc_improve.discovery.filters",
    "FollowsFilter": "sc_improve.discovery.filters",
    "ActivityFilter": "sc_improve.discovery.filters",
    "layout_map": "sc_improve.discovery.layout",
    "render_svg": "sc_improve.discovery.render_svg",
    "write_map": "sc_improve.discovery.render",
    "discover_bpmn": "sc_improve.discovery.model",
    "discover_petri_net": "sc_improve.discovery.model",
    "write_bpmn": "sc_improve.discovery.model",
    "write_pnml": "sc_improve.discovery.model",
    "fitness": "sc_improve.discovery.fitness",
    # performance
    "find_bottlenecks": "sc_improve.performance",
    "activity_times": "sc_improve.performance",
    "transition_times": "sc_improve.performance",
    "find_rework": "sc_improve.performance",
    "resource_analysis": "sc_improve.performance",
    "cycle_time": "sc_improve.performance",
    # everything together
    "analyze_log": "sc_improve.analysis",
    "LogAnalysis": "sc_improve.analysis",
    # synthetic logs
    "generate_log": "sc_improve.generate",
    "write_log": "sc_improve.generate",
    # progress and errors
    "Cancelled": "sc_improve.progress",
    "LogImportError": "sc_improve.errors",
    "AnalysisError": "sc_improve.errors",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports("sc_improve", _EXPORTS, globals())


if TYPE_CHECKING:
    from sc_improve.analysis import LogAnalysis, analyze_log
    from sc_improve.discovery.dfg import discover_map
    from sc_improve.discovery.filters import (
        ActivityFilter,
        AttributeFilter,
        DurationFilter,
        EndpointFilter,
        FollowsFilter,
        TimeframeFilter,
        VariantFilter,
        apply_filters,
        filter_from_dict,
    )
    from sc_improve.discovery.fitness import fitness
    from sc_improve.discovery.layout import layout_map
    from sc_improve.discovery.model import discover_bpmn, discover_petri_net, write_bpmn, write_pnml
    from sc_improve.discovery.process_map import ProcessMap
    from sc_improve.discovery.render import write_map
    from sc_improve.discovery.render_svg import render_svg
    from sc_improve.discovery.simplify import simplify_map
    from sc_improve.discovery.variants import discover_variants
    from sc_improve.errors import AnalysisError, LogImportError
    from sc_improve.generate import generate_log, write_log
    from sc_improve.log.event_log import EventLog, make_event_log
    from sc_improve.log.mapping import ColumnMapping, MappingSuggestion, load_mapping, save_mapping
    from sc_improve.log.read import (
        describe_mapping,
        log_from_frame,
        preview_table,
        read_log,
        suggest_for_file,
    )
    from sc_improve.log.readers.ocel import list_object_types
    from sc_improve.performance import (
        activity_times,
        cycle_time,
        find_bottlenecks,
        find_rework,
        resource_analysis,
        transition_times,
    )
    from sc_improve.progress import Cancelled
    from sc_improve.quality import Finding, QualityReport, apply_fix, check_quality
