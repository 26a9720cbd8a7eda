"""Activity labels with ids or numbers built in, e.g. "Approve PO 4500012345".

Suriadi's *polluted label*: fixed text plus a changing part (a document number, an
amount, a date) makes every occurrence its own activity, so the map explodes into
hundreds of one-off boxes. Two signatures are used, both on the distinct labels only:

* a *template* (the label with every run of digits replaced by "#") shared by at least
  ``min_variants`` (5) distinct labels of which the typical one (the median) occurs in
  a single case: the changing part is specific to a case, like a document number. A
  numbered family used across cases ("Reminder 1", "Reminder 2", ...) is not flagged;
* a run of ``id_digits`` (5) or more digits, which reads as a document id even alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sc_improve.log.event_log import EventLog
from sc_improve.quality.common import activity_case_counts, counted, fmt_count
from sc_improve.quality.types import POLLUTED_LABEL, Finding

CHECK = "polluted_labels"


def polluted_labels(log: EventLog, *, min_variants: int = 5, id_digits: int = 5) -> list[Finding]:
    """Activity labels that embed numbers: templates with many variants, or long ids.

    >>> import pandas as pd
    >>> from sc_improve.log.event_log import make_event_log
    >>> log = make_event_log(pd.DataFrame({"case:concept:name": ["1", "2"],
    ...     "concept:name": ["Approve PO 4500012345", "Approve PO 4500012346"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01"] * 2)}))
    >>> polluted_labels(log)[0].examples
    ("'Approve PO #': 2 labels, e.g. 'Approve PO 4500012345'",)
    """
    if log.n_events == 0:
        return []
    codes = log.codes
    labels = pd.Series(codes.activities.astype(str))
    table = pd.DataFrame(
        {
            "label": labels,
            "template": labels.str.replace(r"\d+", "#", regex=True),
            "has_id": labels.str.contains(rf"\d{{{id_digits},}}", regex=True),
            "events": np.bincount(codes.activity, minlength=len(labels)),
            "cases": activity_case_counts(codes),
        }
    )
    by_template = table.groupby("template")
    case_specific = (by_template["label"].transform("size") >= min_variants) & (
        by_template["cases"].transform("median") <= 1
    )
    polluted = table[case_specific | table["has_id"]]
    if polluted.empty:
        return []
    families = (
        polluted.groupby("template")
        .agg(labels=("label", "size"), events=("events", "sum"), example=("label", "first"))
        .sort_values(["labels", "events"], ascending=False)
    )
    n_labels = len(polluted)
    n_events = int(polluted["events"].sum())
    return [
        Finding(
            check=CHECK,
            severity="warning",
            count=n_labels,
            unit="labels",
            message=f"{fmt_count(n_labels)} of {fmt_count(len(labels))} activity labels contain numbers "
            f"or ids ({counted(len(families), 'pattern')}, {counted(n_events, 'event')}), so one "
            "process step appears as many activities.",
            examples=tuple(
                f"'{template}': {counted(row.labels, 'label')}, e.g. '{row.example}'"
                for template, row in families.head(5).iterrows()
            ),
            suggested_fix="Remove the changing part from the activity name and keep it as an "
            "attribute (e.g. 'Approve PO' with the PO number as a column), before import or with a "
            "label mapping.",
            pattern=POLLUTED_LABEL,
        )
    ]
