"""Freed C-heap memory goes back to the system after big imports (glibc only)."""

from __future__ import annotations

import platform
import sys

import numpy as np
import pytest

from sc_improve.memory import _malloc_trim, trim_c_heap


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="glibc only"
)
def test_glibc_trim_is_found_and_lowers_the_footprint_after_freeing():
    assert _malloc_trim() is not None

    def resident_mb() -> float:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * 4096 / 2**20

    # Many mid-sized blocks below glibc's mmap threshold stay in the heap once freed.
    blocks = [np.ones(16_000) for _ in range(6_000)]  # about 730 MB of 128 kB blocks
    del blocks[: len(blocks) - 1]  # keep the top block so the heap cannot shrink by itself
    before = resident_mb()
    trim_c_heap()
    assert resident_mb() < before - 300


def test_trim_is_harmless_to_call_repeatedly():
    trim_c_heap()
    trim_c_heap()
