"""Which kind of automation fits an activity.

* elimination: rework and reversals are best removed at their cause, not automated;
* workflow auto-approval: approvals, releases and checks can be granted by a rule
  below a threshold;
* system integration: sending, receiving, posting and matching documents between
  systems belongs in an interface (EDI, API), not in a bot clicking screens;
* RPA: the rest, rule-based data entry that a software robot can do.

The choice reads the activity's name (English ERP vocabulary, configurable) and its
rework features; the first rule that fits wins, in the order above.
"""

from __future__ import annotations

import re

import pandas as pd

ELIMINATION = "elimination"
AUTO_APPROVAL = "workflow auto-approval"
INTEGRATION = "system integration"
RPA = "RPA"
KINDS = (ELIMINATION, AUTO_APPROVAL, INTEGRATION, RPA)

APPROVAL_PATTERN = (
    r"approv|releas|authori[sz]|check|review|confirm|verif|sign[ -]?off|decide|decision|determin"
)
INTEGRATION_PATTERN = (
    r"send|transmi|receiv|receipt|post|transfer|match|clear|interface|import|export|sync|upload|download"
    r"|\bedi\b|idoc|print|notif|inform|archiv|payment|pay\b"
)
REWORK_REPEATS = 0.3
"""Extra executions per case from which an activity counts as rework."""


def automation_kind(
    activity: str,
    features: pd.Series,
    approval_pattern: str = APPROVAL_PATTERN,
    integration_pattern: str = INTEGRATION_PATTERN,
) -> str:
    """The kind of automation for one activity, given its row of :func:`activity_features`.

    >>> import pandas as pd
    >>> automation_kind("Approve Purchase Order", pd.Series({"is_reversal": 0.0, "repeats_per_case": 0.0}))
    'workflow auto-approval'
    >>> automation_kind("Change Price", pd.Series({"is_reversal": 1.0, "repeats_per_case": 0.0}))
    'elimination'
    """
    if features.get("is_reversal", 0) == 1 or features.get("repeats_per_case", 0) >= REWORK_REPEATS:
        return ELIMINATION
    if re.search(approval_pattern, activity, re.IGNORECASE):
        return AUTO_APPROVAL
    if re.search(integration_pattern, activity, re.IGNORECASE):
        return INTEGRATION
    return RPA
