"""Call the Rust parsers (rustxes) without their diagnostics leaking to the user's terminal.

rustxes prints warnings ("Failed to parse data from ...") and, on malformed input,
panics: pyo3 turns the panic into a ``PanicException`` (a ``BaseException``, so a plain
``except Exception`` misses it) after Rust has printed a backtrace to stderr. We
point file descriptor 2 at a temporary file during the call, hand the captured text
back to the caller (the XES reader turns date warnings into a note), and turn a panic
into :class:`RustPanic` so readers can raise a proper ``LogImportError``.

Redirecting descriptor 2 affects the whole process for the duration of the call, so
another thread's stderr output in that window lands in the capture. On Windows Rust
writes to the console handle, which this does not redirect; the text then merely
shows.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO, TypeVar

T = TypeVar("T")

_UNWRAP_PREFIX = "called `Result::unwrap()` on an `Err` value: "


class RustPanic(Exception):
    """A Rust parser gave up on its input; the message is Rust's reason."""


def call_quietly(function: Callable[..., T], *args: object) -> tuple[T, str]:
    """Run ``function(*args)``, returning its result and whatever it wrote to stderr.

    >>> call_quietly(len, "abc")
    (3, '')
    """
    with tempfile.TemporaryFile() as capture:
        try:
            with _stderr_to(capture):
                result = function(*args)
        except BaseException as exc:
            if type(exc).__name__ != "PanicException":
                raise
            raise RustPanic(str(exc).removeprefix(_UNWRAP_PREFIX)) from None
        capture.seek(0)
        return result, capture.read().decode("utf-8", errors="replace")


@contextmanager
def _stderr_to(target: BinaryIO) -> Iterator[None]:
    """Descriptor 2 -> ``target`` for the duration; a process without one (pythonw) runs as is."""
    if sys.stderr is not None:
        sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        os.dup2(target.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
