"""Edits of the routing model that keep every rule a proper probability distribution.

The routing is a variable-order Markov model (``sim.model.RoutingModel``): the engine
uses the rule whose context is the longest suffix of the case's history. Removing an
activity, cutting a rework loop or setting a branch probability moves probability mass
between targets; whatever is taken from one target is given to the others in proportion
to what they had, so relative odds the change does not mention stay as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from sc_improve.errors import InputError
from sim.model import END_OF_CASE, ConditionalRule, RoutingModel, RoutingRule

Rule = RoutingRule | ConditionalRule
Next = dict[str, float]


class RoutingEditError(InputError):
    """The routing cannot be changed as asked (e.g. no rule leads to the activity)."""


def successors(
    routing: RoutingModel, history: tuple[str, ...], condition: tuple[str, str] | None = None
) -> Next:
    """Where a case with this history goes next: the longest matching context (back-off).

    With ``condition`` (attribute, value), a conditional rule for that value wins over a
    plain rule of the same or shorter context.
    """
    plain = {rule.context: rule.next for rule in routing.rules}
    special = {
        rule.context: rule.next
        for rule in routing.conditional
        if condition is not None and (rule.attribute, rule.value) == condition
    }
    recent = history[len(history) - routing.order :] if routing.order else ()
    for start in range(len(recent) + 1):
        context = recent[start:]
        if context in special:
            return dict(special[context])
        if context in plain:
            return dict(plain[context])
    return {END_OF_CASE: 1.0}


def _condition(rule: Rule) -> tuple[str, str] | None:
    return (rule.attribute, rule.value) if isinstance(rule, ConditionalRule) else None


def _leaving(
    routing: RoutingModel,
    history: tuple[str, ...],
    activity: str,
    condition: tuple[str, str] | None,
    avoid: tuple[str, ...] = (),
) -> Next:
    """Where a case goes once it finally leaves ``activity`` (its repeats folded in), never
    to ``avoid``; the end of the case when nothing else is left."""
    excluded = {activity, *avoid}
    after = {
        k: p for k, p in successors(routing, (*history, activity), condition).items() if k not in excluded
    }
    return normalised(after) if sum(after.values()) > 0 else {END_OF_CASE: 1.0}


def normalised(next_: Mapping[str, float]) -> Next:
    """Probabilities scaled to sum to 1, zeros dropped."""
    total = sum(next_.values())
    return {k: p / total for k, p in next_.items() if p > 0}


def move_mass(
    next_: Mapping[str, float], target: str, new_probability: float, fallback: Mapping[str, float]
) -> Next:
    """``target`` gets ``new_probability``; the rest is rescaled to fill 1 - ``new_probability``.

    When no other target has mass to rescale, what ``target`` gives up goes to ``fallback``.
    """
    others = {k: p for k, p in next_.items() if k != target}
    room, held = 1.0 - new_probability, sum(others.values())
    if held > 0:
        result = {k: p * room / held for k, p in others.items()}
    else:
        result = {k: p * room for k, p in fallback.items()}
    result[target] = result.get(target, 0.0) + new_probability
    return {k: p for k, p in result.items() if p > 0}


def _edit_rules(routing: RoutingModel, edit: Callable[[Rule], Rule | None]) -> RoutingModel:
    rules = tuple(r for r in (edit(rule) for rule in routing.rules) if r is not None)
    conditional = tuple(r for r in (edit(rule) for rule in routing.conditional) if r is not None)
    return replace(routing, rules=rules, conditional=conditional)  # type: ignore[arg-type]


def remove_activity(routing: RoutingModel, activity: str) -> RoutingModel:
    """Cases skip ``activity``: whoever went to it goes where it would have led.

    Rules remembering the activity in their context can no longer match and are dropped;
    concurrent pairs with it go too.
    """

    def edit(rule: Rule) -> Rule | None:
        if activity in rule.context:
            return None
        if activity not in rule.next:
            return rule
        share = rule.next[activity]
        folded = {k: p for k, p in rule.next.items() if k != activity}
        for target, p in _leaving(routing, rule.context, activity, _condition(rule)).items():
            folded[target] = folded.get(target, 0.0) + share * p
        if not rule.context:
            folded.pop(END_OF_CASE, None)
            if not folded:
                raise RoutingEditError(f"without '{activity}' a case would have no activity at all")
        return replace(rule, next=normalised(folded))

    edited = _edit_rules(routing, edit)
    return replace(edited, concurrent=tuple(pair for pair in routing.concurrent if activity not in pair))


def reachable_from(routing: RoutingModel, activity: str) -> set[str]:
    """Activities a case can reach after ``activity`` (itself included), from the rules' transitions."""
    edges: dict[str, set[str]] = {}
    for rule in (*routing.rules, *routing.conditional):
        if rule.context:
            edges.setdefault(rule.context[-1], set()).update(k for k, p in rule.next.items() if p > 0)
    seen, pending = {activity}, [activity]
    while pending:
        for target in edges.get(pending.pop(), ()):
            if target not in seen and target != END_OF_CASE:
                seen.add(target)
                pending.append(target)
    return seen


def cut_returns(
    routing: RoutingModel, activity: str, factor: float, sources: tuple[str, ...] | None = None
) -> tuple[RoutingModel, int]:
    """Scale the probability of going *back* to ``activity`` by ``factor``; returns the routing
    and the number of rules changed.

    A transition A -> ``activity`` goes back when A can be reached from ``activity`` (the
    case has most likely done it before), or when A is one of ``sources``. The share taken
    away goes to A's other targets, or, when A has none, to where ``activity`` would lead
    other than back to A (so the case moves on instead of starting another round).
    """
    back = set(sources) if sources is not None else reachable_from(routing, activity)
    changed = 0

    def edit(rule: Rule) -> Rule:
        nonlocal changed
        if not rule.context or rule.context[-1] not in back or rule.next.get(activity, 0.0) <= 0:
            return rule
        changed += 1
        fallback = _leaving(routing, rule.context, activity, _condition(rule), avoid=rule.context[-1:])
        return replace(rule, next=move_mass(rule.next, activity, rule.next[activity] * factor, fallback))

    return _edit_rules(routing, edit), changed


def set_branch(
    routing: RoutingModel, after: tuple[str, ...], target: str, probability: float
) -> tuple[RoutingModel, int]:
    """After the activities ``after`` (most recent last; () = the case's start), go to
    ``target`` with ``probability``; the other branches share the rest as before.
    Returns the routing and the number of rules changed."""
    changed = 0

    def matches(context: tuple[str, ...]) -> bool:
        return context == () if not after else context[len(context) - len(after) :] == after

    def edit(rule: Rule) -> Rule:
        nonlocal changed
        if not matches(rule.context):
            return rule
        if probability < 1 and sum(p for k, p in rule.next.items() if k != target) <= 0:
            raise RoutingEditError(
                f"after {_describe(rule.context)} every case goes to '{target}': "
                "there is no other branch to take the remaining share"
            )
        changed += 1
        return replace(rule, next=move_mass(rule.next, target, probability, {}))

    return _edit_rules(routing, edit), changed


def _describe(context: tuple[str, ...]) -> str:
    return " -> ".join(f"'{a}'" for a in context) if context else "the start"
