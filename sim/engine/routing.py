"""Each case's sequence of activities, drawn from the routing model for all cases at once.

The route of a case depends only on its own history and attributes, never on timing or
resources, so routes are drawn before the event loop: all cases advance one step together,
with numpy. A case's state is its last ``order`` activities (what the rules can look at),
led by the start marker while the case is younger than that; the decision for a (state,
attribute combination) pair is resolved once, by the longest
matching context with back-off, a conditional rule winning over the plain rule of the same
context when the case's attribute matches, and cached as a row of cumulative probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.streams import uniforms
from sim.model import END_OF_CASE, START_OF_CASE, RoutingModel


@dataclass(frozen=True)
class Routes:
    """All activity instances of a run in case order, each case's steps in sequence."""

    case: np.ndarray
    step: np.ndarray
    activity: np.ndarray
    """Activity codes (index into the run's activity names)."""
    truncated: np.ndarray
    """Per case: True when ``max_activities`` closed it before the routing ended it."""


@dataclass(frozen=True)
class _Choice:
    targets: np.ndarray
    cumulative: np.ndarray


class RouteTable:
    """The routing model compiled to integer codes, with its decisions cached."""

    def __init__(
        self,
        routing: RoutingModel,
        activities: list[str],
        attributes: list[str],
        attribute_values: list[tuple[str, ...]],
    ) -> None:
        self.order = routing.order
        self.max_activities = routing.max_activities
        self.end_code = len(activities)
        start = self.end_code + 1
        code = {name: i for i, name in enumerate(activities)}
        code |= {END_OF_CASE: self.end_code, START_OF_CASE: start}
        self.plain = {tuple(code[a] for a in r.context): self._choice(r.next, code) for r in routing.rules}
        self.conditional: dict[tuple[int, ...], list[tuple[int, int, _Choice]]] = {}
        self.used_attributes = sorted({attributes.index(r.attribute) for r in routing.conditional})
        for rule in routing.conditional:
            column = attributes.index(rule.attribute)
            values = attribute_values[column]
            if rule.value not in values:
                continue  # a value no case can have: the rule never applies
            context = tuple(code[a] for a in rule.context)
            entry = (
                self.used_attributes.index(column),
                values.index(rule.value),
                self._choice(rule.next, code),
            )
            self.conditional.setdefault(context, []).append(entry)
        self.states: dict[tuple[int, ...], int] = {(start,): 0}
        self.state_history: list[tuple[int, ...]] = [(start,)]
        self.decisions: dict[int, int] = {}
        self.transitions: dict[int, int] = {}
        self.choices: list[_Choice] = []

    @staticmethod
    def _choice(targets: dict[str, float], code: dict[str, int]) -> _Choice:
        weights = np.array(list(targets.values()), dtype=float)
        cumulative = np.cumsum(weights / weights.sum())
        cumulative[-1] = 1.0
        return _Choice(np.array([code[t] for t in targets], dtype=np.int64), cumulative)

    def _resolve(self, history: tuple[int, ...], combo: tuple[int, ...]) -> _Choice:
        for length in range(min(self.order, len(history)), -1, -1):
            context = history[len(history) - length :]
            for column, value, choice in self.conditional.get(context, ()):
                if combo[column] == value:
                    return choice
            if context in self.plain:
                return self.plain[context]
        raise AssertionError("validation guarantees a rule with the empty context")

    def draw(self, key: np.uint64, attribute_codes: np.ndarray) -> Routes:
        """Routes for cases 0..n-1 (rows of ``attribute_codes``), step by step."""
        count = attribute_codes.shape[0]
        self.decisions = {}  # keys depend on this call's attribute combinations
        used = (
            attribute_codes[:, self.used_attributes]
            if self.used_attributes
            else np.zeros((count, 0), np.int32)
        )
        combos, combo_of_case = np.unique(used, axis=0, return_inverse=True)
        combo_of_case = combo_of_case.reshape(-1)
        combo_count = max(len(combos), 1)
        combo_tuples = [tuple(int(v) for v in row) for row in combos] or [()]
        active = np.arange(count)
        state = np.zeros(count, dtype=np.int64)
        truncated = np.zeros(count, dtype=bool)
        cases, steps, codes = [], [], []
        for step in range(self.max_activities):
            if active.size == 0:
                break
            decision_keys = state * combo_count + combo_of_case[active]
            unique_keys, inverse = np.unique(decision_keys, return_inverse=True)
            rows = np.array([self._decision(int(k), combo_count, combo_tuples) for k in unique_keys])
            width = max(len(self.choices[r].targets) for r in rows)
            # row i's cumulative probabilities shifted to 2i..2i+1 (padding 2i+1.5): one sorted
            # array, so a single searchsorted picks every case's target in its own row
            cumulative = np.full((rows.size, width), 1.5)
            targets = np.full((rows.size, width), self.end_code, dtype=np.int64)
            for i, r in enumerate(rows):
                choice = self.choices[r]
                cumulative[i, : choice.cumulative.size] = choice.cumulative
                targets[i, : choice.targets.size] = choice.targets
            cumulative += 2.0 * np.arange(rows.size)[:, None]
            u = uniforms(key, active, step)
            position = np.searchsorted(cumulative.ravel(), u + 2.0 * inverse, side="right")
            picked = np.minimum(position - inverse * width, width - 1)
            chosen = targets[inverse, picked]
            going_on = chosen != self.end_code
            active, chosen, state = active[going_on], chosen[going_on], state[going_on]
            cases.append(active)
            steps.append(np.full(active.size, step, dtype=np.int64))
            codes.append(chosen)
            state = self._advance(state, chosen)
        else:
            truncated[active] = True
        if not cases:
            empty = np.empty(0, dtype=np.int64)
            return Routes(empty, empty, empty, truncated)
        case = np.concatenate(cases)
        order = np.argsort(case, kind="stable")
        return Routes(case[order], np.concatenate(steps)[order], np.concatenate(codes)[order], truncated)

    def _decision(self, decision_key: int, combo_count: int, combo_tuples: list[tuple[int, ...]]) -> int:
        row = self.decisions.get(decision_key)
        if row is None:
            state, combo = divmod(decision_key, combo_count)
            self.choices.append(self._resolve(self.state_history[state], combo_tuples[combo]))
            row = self.decisions[decision_key] = len(self.choices) - 1
        return row

    def _advance(self, state: np.ndarray, chosen: np.ndarray) -> np.ndarray:
        if self.order == 0 or state.size == 0:
            return np.zeros(state.size, dtype=np.int64)
        pair = state * self.end_code + chosen
        unique_pairs, inverse = np.unique(pair, return_inverse=True)
        following = np.empty(unique_pairs.size, dtype=np.int64)
        for i, key in enumerate(unique_pairs.tolist()):
            nxt = self.transitions.get(key)
            if nxt is None:
                previous, activity = divmod(key, self.end_code)
                history = (self.state_history[previous] + (activity,))[-self.order :]
                nxt = self.states.setdefault(history, len(self.state_history))
                if nxt == len(self.state_history):
                    self.state_history.append(history)
                self.transitions[key] = nxt
            following[i] = nxt
        return following[inverse]
