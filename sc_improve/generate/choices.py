"""What can be generated and written, in a module light enough for the CLI's argument parser.

``sc-improve --help`` builds every subcommand's parser; importing the generator itself
would load numpy and pandas for that.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

from sc_improve.errors import OptionError

Kind = Literal["p2p", "o2c", "production"]
KINDS: tuple[str, ...] = get_args(Kind)
FORMATS = (".csv", ".csv.gz", ".parquet", ".xes", ".xes.gz")


def format_of(path: str | Path) -> str:
    """The format named by the file's extension (one of FORMATS), or OptionError."""
    name = Path(path).name.lower()
    for extension in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(extension):
            return extension
    raise OptionError(f"cannot tell the format of {Path(path).name}: use one of {', '.join(FORMATS)}")
