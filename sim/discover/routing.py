"""Routing as a variable-order Markov model of the next activity.

An order-k model remembers the last k activities, so it reproduces the log's
(k+1)-grams: order 2 gives back the 3-grams the fidelity measure compares, and loops,
optional steps and exclusive choices come out as plain probabilities. Contexts seen too
rarely, or that predict nothing different from their shorter suffix, are left out and
the engine backs off to the suffix. Every activity keeps its order-1 context, so a case
never falls back to the first-activity distribution in the middle of its run.

Contexts that reach back to the case's start begin with ``START_OF_CASE``: "a" as the
first activity is often followed by something else than "a" later in the case (a
purchase order created, or re-created after a rejection), and the fidelity measure's
3-grams include the case's start.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.discover.attributes import CaseAttribute
from sim.discover.instances import Instances
from sim.model import END_OF_CASE, START_OF_CASE, ConditionalRule, RoutingModel, RoutingRule

MIN_CHANGE_TO_KEEP = 0.02
"""Total-variation distance from the shorter context below which a longer one adds nothing."""
PAD = -1
"""History code before the case's start (beyond ``START``)."""


@dataclass(frozen=True)
class RoutingStats:
    contexts_seen: int
    contexts_kept: int
    conditional_rules: int
    conditional_attributes: tuple[str, ...]
    concurrent_pairs: int


@dataclass(frozen=True)
class _Counts:
    """Next-activity counts per context; contexts are tuples of activity codes, oldest first."""

    table: dict[tuple[int, ...], dict[int, int]]


def discover_routing(
    instances: Instances,
    attributes: list[CaseAttribute],
    *,
    order: int,
    min_support: int,
    max_conditional_attributes: int,
    min_conditional_support: int,
    min_conditional_change: float,
    concurrency_share: float,
    min_concurrency_support: int,
) -> tuple[RoutingModel, RoutingStats]:
    names = instances.activities
    end_code = len(names)
    start_code = end_code + 1
    steps_case, steps_next, history = _steps(instances, order, end_code, start_code)
    counts = _count_contexts(steps_next, history, start_code)
    kept = _kept_contexts(counts, order, min_support)
    kept_list = sorted(kept, key=lambda c: (len(c), c))
    used = _used_context(history, kept_list, start_code)
    conditional, plain_counts, chosen_attributes = _conditional_rules(
        used,
        steps_case,
        steps_next,
        kept_list,
        counts,
        attributes,
        max_conditional_attributes,
        min_conditional_support,
        min_conditional_change,
        end_code,
    )
    rules = []
    for context in kept_list:
        nexts = plain_counts.get(context, counts[context])
        rules.append(RoutingRule(_names(context, names), _distribution(nexts, names, end_code)))
    named_conditional = tuple(
        ConditionalRule(_names(context, names), attribute, value, _distribution(nexts, names, end_code))
        for context, attribute, value, nexts in conditional
    )
    concurrent = _concurrent_pairs(instances, concurrency_share, min_concurrency_support)
    lengths = np.diff(instances.case_starts)
    model = RoutingModel(
        order=order,
        rules=tuple(rules),
        conditional=named_conditional,
        concurrent=concurrent,
        max_activities=int(lengths.max()) if len(lengths) else 1,
    )
    stats = RoutingStats(
        contexts_seen=len(counts),
        contexts_kept=len(kept),
        conditional_rules=len(named_conditional),
        conditional_attributes=tuple(chosen_attributes),
        concurrent_pairs=len(concurrent),
    )
    return model, stats


def _steps(
    instances: Instances, order: int, end_code: int, start_code: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every routing decision: its case, the chosen next activity (or end) and the history before it.

    ``history[:, j]`` is the activity j+1 steps back: ``start_code`` one step before the
    case's first activity, ``PAD`` further back.
    """
    n_cases = len(instances.case_starts) - 1
    lengths = np.diff(instances.case_starts)
    total = instances.n + n_cases
    case = np.repeat(np.arange(n_cases), lengths + 1)
    first_step = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
    position = np.arange(total) - np.repeat(first_step, lengths + 1)
    next_code = np.full(total, end_code, dtype=np.int64)
    is_activity = position < np.repeat(lengths, lengths + 1)
    next_code[is_activity] = instances.activity
    history = np.full((total, order), PAD, dtype=np.int64)
    for back in range(1, order + 1):
        shifted = np.roll(next_code, back)
        history[:, back - 1] = np.where(
            position >= back, shifted, np.where(position == back - 1, start_code, PAD)
        )
    return case, next_code, history


def _context_keys(history: np.ndarray, length: int, base: int) -> np.ndarray:
    """Integer code of the last ``length`` activities of each history (most recent = lowest digit)."""
    weights = base ** np.arange(length, dtype=np.int64)
    return history[:, :length] @ weights if length else np.zeros(len(history), dtype=np.int64)


def _decode(key: int, length: int, base: int) -> tuple[int, ...]:
    digits = []
    for _ in range(length):
        key, digit = divmod(key, base)
        digits.append(digit)
    return tuple(reversed(digits))


def _covered(history: np.ndarray, length: int, start_code: int) -> np.ndarray:
    """Steps whose history has a context of ``length``: () only at the case's first step
    (the first-activity rule), longer ones wherever the history reaches that far, the
    start marker included but never alone (that is the empty context)."""
    if length == 0:
        return history[:, 0] == start_code
    return (history[:, length - 1] != PAD) & (history[:, 0] != start_code)


def _count_contexts(
    next_code: np.ndarray, history: np.ndarray, start_code: int
) -> dict[tuple[int, ...], dict[int, int]]:
    """Next-step counts for every context length that the step's history covers."""
    table: dict[tuple[int, ...], dict[int, int]] = {}
    base = start_code + 1
    for length in range(history.shape[1] + 1):
        valid = _covered(history, length, start_code)
        key = _context_keys(history[valid], length, base) * base + next_code[valid]
        unique, count = np.unique(key, return_counts=True)
        for k, n in zip(unique.tolist(), count.tolist(), strict=True):
            context, nxt = divmod(k, base)
            table.setdefault(_decode(context, length, base), {})[nxt] = n
    return table


def _kept_contexts(counts: dict, order: int, min_support: int) -> set[tuple[int, ...]]:
    kept = {c for c in counts if len(c) <= 1}
    for length in range(2, order + 1):
        for context, nexts in counts.items():
            if len(context) != length or sum(nexts.values()) < min_support:
                continue
            shorter = context[1:]
            if shorter in kept and _variation(nexts, counts[shorter]) >= MIN_CHANGE_TO_KEEP:
                kept.add(context)
    return kept


def _used_context(history: np.ndarray, kept: list[tuple[int, ...]], start_code: int) -> np.ndarray:
    """Index into ``kept`` of the context the engine uses at each step: the longest kept suffix."""
    base = start_code + 1
    used = np.full(len(history), -1, dtype=np.int64)
    for length in range(history.shape[1], -1, -1):
        ids = [i for i, c in enumerate(kept) if len(c) == length]
        if not ids:
            continue
        encoded = np.array([sum(d * base**j for j, d in enumerate(reversed(kept[i]))) for i in ids])
        order = np.argsort(encoded)
        encoded, ids_sorted = encoded[order], np.array(ids)[order]
        valid = (used < 0) & _covered(history, length, start_code)
        keys = _context_keys(history, length, base)
        where = np.minimum(np.searchsorted(encoded, keys), len(encoded) - 1)
        found = valid & (encoded[where] == keys)
        used[found] = ids_sorted[where[found]]
    return used


def _conditional_rules(
    step_context: np.ndarray,
    step_case: np.ndarray,
    next_code: np.ndarray,
    kept: list[tuple[int, ...]],
    counts: dict,
    attributes: list[CaseAttribute],
    max_attributes: int,
    min_support: int,
    min_change: float,
    end_code: int,
) -> tuple[list[tuple[tuple[int, ...], str, str, dict[int, int]]], dict, list[str]]:
    """Rules for contexts where one case attribute changes the next step markedly.

    For each context only the attribute with the largest information gain is used, so the
    engine never has to choose between two attributes' rules.
    """
    if not attributes:
        return [], {}, []
    n_next = end_code + 1
    best: dict[int, tuple[float, int, list[tuple[int, np.ndarray]]]] = {}
    for a, attribute in enumerate(attributes):
        value = attribute.case_value[step_case[step_context >= 0]]
        n_values = len(attribute.values)
        covered = step_context >= 0
        key = (step_context[covered] * n_values + value) * n_next + next_code[covered]
        unique, count = np.unique(key, return_counts=True)
        cube = {}
        for k, n in zip(unique.tolist(), count.tolist(), strict=True):
            ctx, rest = divmod(k, n_values * n_next)
            v, nxt = divmod(rest, n_next)
            cube.setdefault(ctx, np.zeros((n_values, n_next)))[v, nxt] = n
        for ctx, table in cube.items():
            gain = _information_gain(table)
            overall = table.sum(axis=0) / table.sum()
            marked = []
            for v in range(n_values):
                support = table[v].sum()
                if support >= min_support and 0.5 * np.abs(table[v] / support - overall).sum() >= min_change:
                    marked.append((v, table[v]))
            if marked and gain > best.get(ctx, (0.0, -1, []))[0]:
                best[ctx] = (gain, a, marked)
    gains_by_attribute: dict[int, float] = {}
    for gain, a, _ in best.values():
        gains_by_attribute[a] = gains_by_attribute.get(a, 0.0) + gain
    allowed = sorted(gains_by_attribute, key=lambda a: -gains_by_attribute[a])[:max_attributes]
    rules = []
    plain: dict[tuple[int, ...], dict[int, int]] = {}
    for ctx, (_, a, marked) in sorted(best.items()):
        if a not in allowed:
            continue
        context = kept[ctx]
        attribute = attributes[a]
        remaining = dict(counts[context])
        for v, row in marked:
            nexts = {int(i): int(n) for i, n in enumerate(row) if n > 0}
            rules.append((context, attribute.model.name, attribute.values[v], nexts))
            for i, n in nexts.items():
                remaining[i] = remaining.get(i, 0) - n
        remaining = {i: n for i, n in remaining.items() if n > 0}
        if remaining:
            plain[context] = remaining
    return rules, plain, [attributes[a].model.name for a in allowed]


def _information_gain(table: np.ndarray) -> float:
    """Entropy of the next step minus its entropy once the attribute value is known (bits x steps)."""
    total = table.sum()

    def entropy(row: np.ndarray) -> float:
        p = row[row > 0] / row.sum()
        return float(-(p * np.log2(p)).sum())

    conditional = sum(row.sum() / total * entropy(row) for row in table if row.sum() > 0)
    return (entropy(table.sum(axis=0)) - conditional) * total


def _concurrent_pairs(instances: Instances, share: float, min_support: int) -> tuple[tuple[str, str], ...]:
    """Pairs (a, b) where b, started right after a in the case, mostly starts before a has ended.

    An activity overlapping itself is left out: in ERP logs that is nearly always a duplicated row.
    """
    if instances.estimated.all() or instances.n < 2:
        return ()
    same_case = instances.case[1:] == instances.case[:-1]
    timed = ~instances.estimated[1:] & ~instances.estimated[:-1]
    pair = same_case & timed & (instances.activity[1:] != instances.activity[:-1])
    first, second = instances.activity[:-1][pair], instances.activity[1:][pair]
    overlapping = instances.start[1:][pair] < instances.end[:-1][pair]
    n = len(instances.activities)
    key = first.astype(np.int64) * n + second
    followed = np.bincount(key, minlength=n * n)
    overlapped = np.bincount(key[overlapping], minlength=n * n)
    with np.errstate(invalid="ignore", divide="ignore"):
        concurrent = (overlapped >= min_support) & (overlapped >= share * followed)
    names = instances.activities
    return tuple((names[k // n], names[k % n]) for k in np.flatnonzero(concurrent))


def _variation(a: dict[int, int], b: dict[int, int]) -> float:
    total_a, total_b = sum(a.values()), sum(b.values())
    keys = set(a) | set(b)
    return 0.5 * sum(abs(a.get(k, 0) / total_a - b.get(k, 0) / total_b) for k in keys)


def _names(context: tuple[int, ...], names: tuple[str, ...]) -> tuple[str, ...]:
    """Activity names of a context; the code after the end code is the case's start."""
    return tuple(names[c] if c < len(names) else START_OF_CASE for c in context)


def _distribution(nexts: dict[int, int], names: tuple[str, ...], end_code: int) -> dict[str, float]:
    total = sum(nexts.values())
    ordered = sorted(nexts.items(), key=lambda kv: -kv[1])
    return {(END_OF_CASE if code == end_code else names[code]): n / total for code, n in ordered}
