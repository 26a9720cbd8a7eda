"""Leave-one-log-out evaluation of the model against the baseline.

Each process group of the training table (all seeds and sizes of one generated
process, or one real log) is held out in turn: the model is fitted on the other
groups and scores the held-out activities; the baseline needs no fitting. Holding
out whole groups rather than single generated logs matters: two seeds of the P2P
generator share their process, so leaving out one seed would let the model
recognise activities it has already seen.

Measures: ROC AUC over the held-out activities; precision at 3 and 5 (share of
really automated activities among the 3 or 5 best-scored of each held-out log,
averaged over its logs that have any); and the model's false-alarm rate (share of
manual activities with a probability of 0.5 or more), the only measure for logs
without automation. The baseline has no probability scale, so it has no false-alarm
rate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from sc_improve.automation.baseline import baseline_scores
from sc_improve.automation.model import AutomationModel, group_weights
from sc_improve.progress import ProgressCallback, ensure_progress


@dataclass(frozen=True)
class HeldOut:
    """Scores of one held-out group (or, for the overall row, all groups)."""

    group: str
    logs: int
    activities: int
    automatable: int
    model_auc: float
    baseline_auc: float
    model_precision_at_3: float
    baseline_precision_at_3: float
    model_precision_at_5: float
    baseline_precision_at_5: float
    model_false_alarms: float


@dataclass(frozen=True)
class LoloReport:
    """Per held-out group results; ``overall`` averages the groups (each process counts once),
    ``pooled_model_auc``/``pooled_baseline_auc`` rank all held-out activities together."""

    groups: list[HeldOut]
    overall: HeldOut
    pooled_model_auc: float
    pooled_baseline_auc: float
    predictions: pd.DataFrame

    def to_markdown(self) -> str:
        """The table for docs/AUTOMATION.md."""
        lines = [
            "| held-out group | logs | activities | automatable | ROC AUC model | ROC AUC baseline "
            "| P@3 model | P@3 baseline | P@5 model | P@5 baseline | false alarms model |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in [*self.groups, self.overall]:
            name = "**mean over groups**" if row is self.overall else row.group
            cells = [
                _cell(row.model_auc, 3),
                _cell(row.baseline_auc, 3),
                _cell(row.model_precision_at_3, 2),
                _cell(row.baseline_precision_at_3, 2),
                _cell(row.model_precision_at_5, 2),
                _cell(row.baseline_precision_at_5, 2),
                _cell(row.model_false_alarms, 2),
            ]
            lines.append(
                f"| {name} | {row.logs} | {row.activities} | {row.automatable} | {' | '.join(cells)} |"
            )
        lines.append(
            f"\nAll held-out activities ranked together: ROC AUC model {self.pooled_model_auc:.3f}, "
            f"baseline {self.pooled_baseline_auc:.3f}."
        )
        return "\n".join(lines)


def precision_at_k(scores: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Share of positives among the ``k`` highest scores (ties broken by order).

    >>> precision_at_k(np.array([0.9, 0.1, 0.8]), np.array([1, 1, 0]), 2)
    0.5
    """
    top = np.argsort(-scores, kind="stable")[:k]
    return float(np.mean(labels[top])) if len(top) else float("nan")


def leave_one_log_out(
    table: pd.DataFrame,
    make_model: Callable[[], AutomationModel] = AutomationModel,
    progress: ProgressCallback | None = None,
) -> LoloReport:
    """Hold out each group of the training table in turn and score it with model and baseline.

    >>> from sc_improve.automation.training import load_training_table
    >>> report = leave_one_log_out(load_training_table(), lambda: AutomationModel(n_estimators=10))
    >>> sorted(g.group for g in report.groups)
    ['o2c', 'order-management', 'p2p', 'production', 'purchasing', 'receipt', 'repair']
    """
    report = ensure_progress(progress)
    groups = list(dict.fromkeys(table["group"]))
    parts = []
    for index, group in enumerate(groups):
        report(index / len(groups), f"holding out {group}")
        train = table[table["group"] != group]
        test = table[table["group"] == group]
        model = make_model().fit(train, train["label"], sample_weight=group_weights(train))
        parts.append(
            test[["log", "group", "activity", "label"]].assign(
                model=model.predict_proba(test)[:, 1], baseline=per_log_baseline(test)
            )
        )
    report(1.0, "evaluation done")
    predictions = pd.concat(parts, ignore_index=True)
    rows = [_held_out(group, predictions[predictions["group"] == group]) for group in groups]
    overall = HeldOut(
        group="mean",
        logs=sum(r.logs for r in rows),
        activities=sum(r.activities for r in rows),
        automatable=sum(r.automatable for r in rows),
        **{
            name: float(np.nanmean([getattr(r, name) for r in rows]))
            for name in (
                "model_auc",
                "baseline_auc",
                "model_precision_at_3",
                "baseline_precision_at_3",
                "model_precision_at_5",
                "baseline_precision_at_5",
                "model_false_alarms",
            )
        },
    )
    return LoloReport(
        groups=rows,
        overall=overall,
        pooled_model_auc=_auc(predictions["label"], predictions["model"]),
        pooled_baseline_auc=_auc(predictions["label"], predictions["baseline"]),
        predictions=predictions,
    )


def per_log_baseline(table: pd.DataFrame) -> pd.Series:
    """Baseline scores of a table with several logs, each log scored on its own."""
    scores = pd.Series(np.nan, index=table.index)
    for _, log in table.groupby("log"):
        scores[log.index] = baseline_scores(log.set_index("activity")).to_numpy()
    return scores


def _held_out(group: str, rows: pd.DataFrame) -> HeldOut:
    per_log = rows.groupby("log")
    labels = rows["label"].to_numpy()

    def precision(column: str, k: int) -> float:
        values = [
            precision_at_k(log[column].to_numpy(), log["label"].to_numpy(), k)
            for _, log in per_log
            if log["label"].any()
        ]
        return float(np.mean(values)) if values else float("nan")

    manual = rows["label"] == 0

    return HeldOut(
        group=group,
        logs=per_log.ngroups,
        activities=len(rows),
        automatable=int(labels.sum()),
        model_auc=_auc(rows["label"], rows["model"]),
        baseline_auc=_auc(rows["label"], rows["baseline"]),
        model_precision_at_3=precision("model", 3),
        baseline_precision_at_3=precision("baseline", 3),
        model_precision_at_5=precision("model", 5),
        baseline_precision_at_5=precision("baseline", 5),
        model_false_alarms=float((rows.loc[manual, "model"] >= 0.5).mean()) if manual.any() else float("nan"),
    )


def _cell(value: float, digits: int) -> str:
    return "–" if np.isnan(value) else f"{value:.{digits}f}"


def _auc(labels: pd.Series, scores: pd.Series) -> float:
    return float(roc_auc_score(labels, scores)) if labels.nunique() == 2 else float("nan")
