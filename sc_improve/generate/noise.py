"""Known data-quality imperfections, injected at a given rate for data-quality tests.

Real ERP extracts are never clean. Each imperfection below hits every event
independently with probability ``rate`` times its relative rate, so a test knows
how many to expect and which rows they are (by comparing with the clean log):

* ``label_variant``: the activity spelled differently: lower case, upper case or with
  underscores ("create purchase order", "CREATE PURCHASE ORDER",
  "Create_Purchase_Order");
* ``date_only``: start and end cut to the date (midnight), as when only a date field
  was extracted;
* ``outlier_time``: start and end set to 1970-01-01 00:00 (a zero date) or moved 100
  years into the future (a typing error); rarer than the others;
* ``missing_resource``: no resource;
* ``duplicate``: the event recorded twice (exact copy on the next row), applied last
  so that the copies are exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RELATIVE_RATES = {
    "label_variant": 1.0,
    "date_only": 1.0,
    "outlier_time": 0.1,
    "missing_resource": 1.0,
    "duplicate": 1.0,
}
FUTURE_SHIFT = pd.Timedelta(days=36_524)
EPOCH = pd.Timestamp("1970-01-01")


def label_variants(label: str) -> tuple[str, str, str]:
    """Three misspellings of a label, each different from it (for one-word labels the
    underscore variant falls back to lower case)."""
    underscored = label.replace(" ", "_")
    return label.lower(), label.upper(), underscored if underscored != label else label.lower()


def inject_noise(frame: pd.DataFrame, rate: float, rng: np.random.Generator) -> pd.DataFrame:
    """A copy of a generated log with the imperfections above injected at ``rate``."""
    n = len(frame)
    out = frame.copy()

    def hit(kind: str) -> np.ndarray:
        return rng.random(n) < rate * RELATIVE_RATES[kind]

    out["activity"] = _respell(out["activity"].array, hit("label_variant"), rng)
    date_only = hit("date_only")
    for column in ("start_time", "end_time"):
        out.loc[date_only, column] = out.loc[date_only, column].dt.normalize()
    outlier = np.flatnonzero(hit("outlier_time"))
    to_epoch = outlier[rng.random(len(outlier)) < 0.5]
    to_future = np.setdiff1d(outlier, to_epoch)
    for column in ("start_time", "end_time"):
        position = out.columns.get_loc(column)
        out.iloc[to_epoch, position] = EPOCH
        out.iloc[to_future, position] = out.iloc[to_future, position] + FUTURE_SHIFT
    out.loc[hit("missing_resource"), "resource"] = np.nan
    duplicate = np.flatnonzero(hit("duplicate"))
    rows = np.sort(np.concatenate([np.arange(n), duplicate]), kind="stable")
    return out.iloc[rows].reset_index(drop=True)


def _respell(activity: pd.Categorical, chosen: np.ndarray, rng: np.random.Generator) -> pd.Categorical:
    labels = list(activity.categories)
    variants = [variant for label in labels for variant in label_variants(label)]
    categories = pd.Index(pd.unique(np.array(labels + variants, dtype=object)))
    variant_codes = categories.get_indexer(variants).reshape(len(labels), 3)
    codes = activity.codes.astype(np.int32)
    picked = np.flatnonzero(chosen & (codes >= 0))
    codes[picked] = variant_codes[codes[picked], rng.integers(3, size=len(picked))]
    return pd.Categorical.from_codes(codes, categories=categories).remove_unused_categories()
