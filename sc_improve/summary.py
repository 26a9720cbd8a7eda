"""A readable plain-text summary of an analysis, for the terminal.

It reads the JSON contract rather than the result objects, so what the user reads and
what a script reads from ``--json`` can never disagree.
"""

from __future__ import annotations

from sc_improve.units import human_duration

TOP_ACTIVITIES = 10
TOP_PATHS = 8
TOP_FINDINGS = 8
TOP_BOTTLENECKS = 8
SEVERITY_MARK = {"error": "!!", "warning": "! ", "info": "  "}


def format_summary(contract: dict) -> str:
    log = contract["log"]
    cycle = contract["cycle_time_s"]
    lines = [
        f"Log: {contract['source']}",
        f"  {log['cases']:,} cases, {log['events']:,} activity instances "
        f"(from {log['raw_events']:,} raw events), {len(log['activities'])} activities"
        + (f", {log['resources']:,} resources" if log["resources"] is not None else ", no resource column"),
        f"  from {log['start']} to {log['end']}"
        + ("" if log["has_start_times"] else "  (no start times: waiting times are estimates)"),
        f"  cycle time: median {human_duration(cycle['median'])}, mean {human_duration(cycle['mean'])}, "
        f"p90 {human_duration(cycle['p90'])}",
    ]
    lines += [f"  note: {note}" for note in contract["notes"]]

    lines += ["", "Activities (events / cases):"]
    for activity in log["activities"][:TOP_ACTIVITIES]:
        lines.append(f"  {activity['name']:<40} {activity['events']:>9,} {activity['cases']:>9,}")
    if len(log["activities"]) > TOP_ACTIVITIES:
        lines.append(f"  ... and {len(log['activities']) - TOP_ACTIVITIES} more")

    variants = contract["variants"]
    lines += ["", f"Variants: {variants['count']:,}"]
    for variant in variants["top"][:5]:
        steps = " > ".join(variant["activities"])
        if len(steps) > 90:
            steps = steps[:87] + "..."
        lines.append(f"  #{variant['rank']:<3} {variant['share']:6.1%} {variant['cases']:>7,} cases  {steps}")

    lines += ["", "Most frequent paths (frequency, median time):"]
    for edge in contract["dfg"][:TOP_PATHS]:
        median = human_duration(edge["median_s"])
        lines.append(f"  {edge['source']} -> {edge['target']}: {edge['frequency']:,}, {median}")

    quality = contract["quality"]
    lines += ["", f"Data quality: {len(quality)} finding(s)"]
    for finding in quality[:TOP_FINDINGS]:
        lines.append(
            f"  {SEVERITY_MARK.get(finding['severity'], '  ')} [{finding['check']}] {finding['message']}"
        )

    bottlenecks = contract["bottlenecks"]
    estimate = " (estimated from end times only)" if contract["bottlenecks_estimated"] else ""
    lines += ["", f"Top bottlenecks by impact{estimate}:"]
    for rank, item in enumerate(bottlenecks[:TOP_BOTTLENECKS], start=1):
        lines.append(f"  {rank}. {item['explanation']}")
    if not bottlenecks:
        lines.append("  none found")
    return "\n".join(lines)
