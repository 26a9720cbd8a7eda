"""Keyed random streams: the uniform number for (seed, replication, purpose, case, step).

Common random numbers need every random choice of a case to stay put when a scenario
changes something else: adding a clerk must not shift which route case 17 takes or how
long its third step lasts. Drawing from one sequential generator cannot promise that
(any extra or missing draw shifts all later ones), so each number is computed from its
key with a counter-based generator instead: a stream key from ``numpy.random.SeedSequence``
over (seed, replication, purpose), mixed with the case index and step by two rounds of
the SplitMix64 finaliser (a bijective 64-bit mixer with full avalanche). That is a pure
function of the key, evaluated on whole arrays at once, so it is also fast.
"""

from __future__ import annotations

import hashlib

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_UNIT = 2.0**-53


def stream_key(seed: int, replication: int, purpose: str) -> np.uint64:
    """The key of one purpose's stream ("arrival", "duration", "attribute:vendor", ...)."""
    if seed < 0 or replication < 0:
        raise ValueError(f"seed and replication must be non-negative integers, got {seed} and {replication}")
    purpose_word = int.from_bytes(hashlib.blake2b(purpose.encode(), digest_size=8).digest(), "little")
    state = np.random.SeedSequence([int(seed), int(replication), purpose_word]).generate_state(1, np.uint64)
    return np.uint64(state[0])


def _mix(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> np.uint64(30))) * _MIX_1
    z = (z ^ (z >> np.uint64(27))) * _MIX_2
    return z ^ (z >> np.uint64(31))


def uniforms(key: np.uint64, case: np.ndarray, step: np.ndarray | int = 0) -> np.ndarray:
    """Uniform numbers in the open interval (0, 1), one per (case, step) pair."""
    case_word = np.asarray(case, dtype=np.int64).astype(np.uint64)
    step_word = np.broadcast_to(np.asarray(step, dtype=np.int64), case_word.shape).astype(np.uint64)
    z = _mix(key + (case_word + np.uint64(1)) * _GOLDEN)
    z = _mix(z + (step_word + np.uint64(1)) * _GOLDEN)
    return ((z >> np.uint64(11)).astype(np.float64) + 0.5) * _UNIT
