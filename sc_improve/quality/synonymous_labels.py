"""Activity and resource labels that differ only in case, spaces or punctuation.

"Create PO", "create  po" and "Create-PO" are one activity typed three ways; the map
shows three boxes and splits their counts and times. Suriadi calls minor spelling
variants of one label a *distorted label* (different words for one meaning are
*synonymous labels*, which need domain knowledge and are not detected here); the check
keeps the name the team uses for it.

Labels are compared after Unicode compatibility folding, case folding and removing
everything but letters and digits. The work is a groupby over the distinct labels (a
few hundred, even in a 5M-event log); event counts per label come from ``bincount`` on
the integer codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sc_improve.columns import ACTIVITY, RESOURCE
from sc_improve.log.event_log import STRING_DTYPE, EventLog
from sc_improve.quality.common import counted, fmt_count
from sc_improve.quality.types import DISTORTED_LABEL, Finding, FixResult

CHECK = "synonymous_labels"
FIX = "fix_synonymous_labels"


@dataclass(frozen=True)
class LabelGroup:
    """Spellings of one label, most frequent first; ``events`` counts each spelling."""

    spellings: tuple[str, ...]
    events: tuple[int, ...]

    @property
    def preferred(self) -> str:
        return self.spellings[0]

    @property
    def minority_events(self) -> int:
        return sum(self.events[1:])


def normalise_labels(labels: pd.Series) -> pd.Series:
    """The comparison key: NFKC, case-folded, letters and digits only.

    >>> normalise_labels(pd.Series(["Create PO", "create  po", "Create-PO"])).tolist()
    ['createpo', 'createpo', 'createpo']
    """
    return labels.astype(str).str.normalize("NFKC").str.casefold().str.replace(r"[\W_]+", "", regex=True)


def label_groups(labels: np.ndarray, codes: np.ndarray) -> list[LabelGroup]:
    """Groups of two or more distinct labels with the same key, largest minority first.

    ``labels`` are the distinct labels, ``codes`` the per-event index into them (-1 for
    missing). Labels whose key is empty (only punctuation) are left alone.
    """
    if len(labels) < 2:
        return []
    events = np.bincount(codes[codes >= 0], minlength=len(labels))
    table = pd.DataFrame({"label": labels.astype(str), "events": events})
    table["key"] = normalise_labels(table["label"])
    table = table[table["key"] != ""]
    sizes = table.groupby("key")["label"].transform("size")
    table = table[sizes > 1].sort_values(["key", "events", "label"], ascending=[True, False, True])
    groups = [
        LabelGroup(tuple(part["label"]), tuple(int(e) for e in part["events"]))
        for _, part in table.groupby("key", sort=False)
    ]
    return sorted(groups, key=lambda g: (-g.minority_events, g.preferred))


def synonymous_labels(log: EventLog) -> list[Finding]:
    """Groups of activity labels, and of resource names, that differ only in spelling.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "2", "3"],
    ...     "concept:name": ["Create PO", "Create PO", "create-po"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01"] * 3)}))
    >>> synonymous_labels(log)[0].examples
    ("'Create PO' / 'create-po'",)
    """
    if log.n_events == 0:
        return []
    codes = log.codes
    findings = [_finding(label_groups(codes.activities, codes.activity), "activity labels")]
    if codes.resource is not None:
        findings.append(_finding(label_groups(codes.resources, codes.resource), "resource names"))
    return [f for f in findings if f is not None]


def _finding(groups: list[LabelGroup], what: str) -> Finding | None:
    if not groups:
        return None
    n_events = sum(g.minority_events for g in groups)
    n_labels = sum(len(g.spellings) for g in groups)
    return Finding(
        check=CHECK,
        severity="warning",
        count=n_labels,
        unit="labels",
        message=f"{fmt_count(n_labels)} {what} form {counted(len(groups), 'group')} that differ only in "
        f"upper/lower case, spaces or punctuation; {counted(n_events, 'event')} use a less common spelling.",
        examples=tuple(" / ".join(f"'{s}'" for s in g.spellings) for g in groups[:5]),
        suggested_fix="Merge each group into its most frequent spelling.",
        pattern=DISTORTED_LABEL,
        fix=FIX,
    )


def fix_synonymous_labels(log: EventLog) -> FixResult:
    """A copy in which each group of spellings is replaced by its most frequent one.

    Activities and resources are both merged. The sort order (case, time, source row)
    does not depend on labels, so the frame stays canonical.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "2", "3"],
    ...     "concept:name": ["Create PO", "Create PO", "create-po"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01"] * 3)}))
    >>> fix_synonymous_labels(log).log.frame["concept:name"].tolist()
    ['Create PO', 'Create PO', 'Create PO']
    """
    if log.n_events == 0:
        return FixResult(log, "No label spellings to merge.")
    codes = log.codes
    frame = log.frame.copy(deep=False)
    parts = []
    for column, labels, label_codes, what in (
        (ACTIVITY, codes.activities, codes.activity, "activity"),
        (RESOURCE, codes.resources, codes.resource, "resource"),
    ):
        if labels is None or label_codes is None:
            continue
        groups = label_groups(labels, label_codes)
        if not groups:
            continue
        renamed = {s: g.preferred for g in groups for s in g.spellings[1:]}
        merged = pd.array([renamed.get(str(label), str(label)) for label in labels], dtype=STRING_DTYPE)
        frame[column] = pd.Series(merged.take(label_codes, allow_fill=True), index=frame.index)
        parts.append(f"{counted(len(renamed), what + ' spelling')} into {counted(len(groups), 'label')}")
    if not parts:
        return FixResult(log, "No label spellings to merge.")
    description = "Merged " + " and ".join(parts) + "."
    return FixResult(log.with_frame(frame, note=description), description)
