"""Write files so that a crash mid-save never leaves a half-written file behind.

Everything the tool saves (JSON results, mapping files, maps, models) goes to a temporary
file in the target folder first and is then renamed over the target, which is atomic on
the same file system: the old file stays intact until the new one is complete.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(temp_path)`` and move the result onto ``path`` only if it succeeded.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> _ = write_atomically(target, lambda p: p.write_text("done"))
    >>> target.read_text()
    'done'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        write(temp)
        os.chmod(temp, _default_file_mode())
        os.replace(temp, target)
    finally:
        if temp.exists():
            temp.unlink()
    return target


def _default_file_mode() -> int:
    """The mode a plainly created file would get (mkstemp makes temp files owner-only)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_text_atomically(path: str | Path, text: str) -> Path:
    return write_atomically(path, lambda temp: temp.write_text(text, encoding="utf-8"))
