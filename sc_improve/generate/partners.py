"""Business partners (vendors, customers) and materials: names and popularity.

Purchasing and sales volume is concentrated: a few vendors and customers account for
most documents (a Zipf-like law), which is what makes "this vendor causes most
invoice blocks" a finding rather than noise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NAME_PREFIXES = (
    "Hanse", "Alpen", "Nordic", "Rhein", "Baltic", "Delta", "Apex", "Summit", "Orion", "Vista",
    "Atlas", "Polar", "Meridian", "Castle", "Harbor", "Silver", "Granite", "Lumen", "Pioneer", "Crown",
)  # fmt: skip
NAME_CORES = (
    "Industries", "Trading", "Supply", "Components", "Werke", "Partners", "Systems", "Materials",
    "Solutions", "Group",
)  # fmt: skip
LEGAL_FORMS = ("GmbH", "AG", "B.V.", "Sp. z o.o.", "Inc.", "Ltd", "S.A.", "KG")


def company_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct company names such as "Hanse Components GmbH"."""
    picks = rng.permutation(len(NAME_PREFIXES) * len(NAME_CORES) * len(LEGAL_FORMS))[:n]
    prefix = np.array(NAME_PREFIXES)[picks % len(NAME_PREFIXES)]
    core = np.array(NAME_CORES)[(picks // len(NAME_PREFIXES)) % len(NAME_CORES)]
    legal = np.array(LEGAL_FORMS)[picks // (len(NAME_PREFIXES) * len(NAME_CORES))]
    return np.char.add(np.char.add(np.char.add(prefix, " "), np.char.add(core, " ")), legal)


def popularity(n: int, exponent: float) -> np.ndarray:
    """Zipf-like probabilities over ranks 1..n (index 0 is the most popular)."""
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


def categorical(codes: np.ndarray, labels: tuple[str, ...] | list[str] | np.ndarray) -> pd.Categorical:
    """Text attribute from indices into a small label table (labels may repeat, e.g. the
    company code of each plant)."""
    label_codes, unique = pd.factorize(np.asarray(labels, dtype=object))
    return pd.Categorical.from_codes(label_codes[np.asarray(codes, dtype=np.int64)], categories=unique)
