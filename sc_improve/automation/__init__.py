"""Automation candidates: which activities are worth automating, why, and what it saves.

``score_automation(log, hourly_rate=...)`` is the entry point; see docs/AUTOMATION.md
for the features, the weak labels, the model and its leave-one-log-out evaluation.
"""

from sc_improve.automation.baseline import baseline_scores
from sc_improve.automation.candidates import Candidate, CandidateReport, score_automation
from sc_improve.automation.features import FEATURE_DESCRIPTIONS, FEATURES, activity_features
from sc_improve.automation.labels import AUTOMATED_RATE, automation_rates, weak_labels
from sc_improve.automation.model import AutomationModel, shipped_model
from sc_improve.automation.system_users import SystemUsers, detect_system_users, read_usr02

__all__ = [
    "AUTOMATED_RATE",
    "FEATURES",
    "FEATURE_DESCRIPTIONS",
    "AutomationModel",
    "Candidate",
    "CandidateReport",
    "SystemUsers",
    "activity_features",
    "automation_rates",
    "baseline_scores",
    "detect_system_users",
    "read_usr02",
    "score_automation",
    "shipped_model",
    "weak_labels",
]
