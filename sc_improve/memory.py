"""Returning freed memory to the operating system after large, short-lived allocations."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import cache


def trim_c_heap() -> None:
    """Release the free memory glibc keeps in its heaps (``malloc_trim``); elsewhere a no-op.

    glibc keeps memory freed by worker threads in their own heaps, where the main
    thread's later allocations never reuse it, so after a multithreaded import it only
    inflates the process's footprint. Other C libraries (macOS, Windows, musl) either
    return such memory themselves or have no equivalent call.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> ctypes._CFuncPtr | None:
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None)
    except (OSError, AttributeError):
        return None
