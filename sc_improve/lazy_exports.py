"""A package facade whose names are imported on first use (PEP 562 module ``__getattr__``).

``import sc_improve`` and ``import sim`` must stay fast and free of heavy imports
(pandas kernels, scikit-learn, SimPy) until a notebook actually calls something.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package exporting ``name -> defining module``.

    A resolved name is stored in the package's ``namespace``, so it is imported once.
    """
    names = sorted(exports)

    def __getattr__(name: str) -> object:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return names

    return __getattr__, __dir__
