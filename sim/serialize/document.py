"""Parsing model and scenario files while keeping the way back from a field to its line.

An analyst who mistypes a value in a 2,000-line YAML file needs the line, not just the
field path; YAML's node marks give both (JSON is YAML in flow style, so its lines come
from the same marks). YAML is only ever read with PyYAML's safe loader.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.errors import FieldPath, ModelFileError

YAML_SUFFIXES = (".yaml", ".yml")
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it (ten times faster), the pure-Python
safe one otherwise: never a loader that can build arbitrary objects."""


@dataclass(frozen=True)
class LocatedDocument:
    """Parsed data and a way back from a field to the line it was written on."""

    data: Any
    line_of: Callable[[FieldPath], int | None]


def load_document(text: str, path: str | Path, kind: str) -> LocatedDocument:
    """Parse YAML (safe loader only) or JSON text, keeping line numbers for later errors."""
    if kind == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ModelFileError(f"not valid JSON: {error.msg}", path, error.lineno) from None
        return LocatedDocument(data, _lazy_yaml_lines(text))
    root, data = _compose_yaml(text, path)
    return LocatedDocument(data, lambda field: _line_in(root, field))


def _compose_yaml(text: str, path: str | Path) -> tuple[yaml.Node, Any]:
    loader = SAFE_LOADER(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise ModelFileError("the file is empty", path, 1)
        _refuse_duplicate_keys(root, path)
        return root, loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "cannot be read"
        raise ModelFileError(f"not valid YAML: {problem}", path, mark.line + 1 if mark else None) from None
    except yaml.YAMLError as error:
        raise ModelFileError(f"not valid YAML: {error}", path) from None
    finally:
        loader.dispose()


def _refuse_duplicate_keys(root: yaml.Node, path: str | Path) -> None:
    """PyYAML keeps the last of two equal keys silently; an analyst's copy-paste deserves an error."""
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        raise ModelFileError(f"'{key.value}' appears twice", path, key.start_mark.line + 1)
                    seen.add(key.value)
                pending.append(value)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)


def _lazy_yaml_lines(text: str) -> Callable[[FieldPath], int | None]:
    """JSON is YAML in flow style, so YAML's marks give JSON lines too, computed only on error."""

    def line_of(field: FieldPath) -> int | None:
        try:
            root = yaml.compose(text, Loader=SAFE_LOADER)
        except yaml.YAMLError:
            return None
        return _line_in(root, field) if root is not None else None

    return line_of


def _line_in(root: yaml.Node, field: FieldPath) -> int | None:
    """The line of the deepest part of ``field`` present in the node tree (1-based)."""
    node, line = root, root.start_mark.line + 1
    for step in field:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                    child, line = value, key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            child = node.value[step]
            line = child.start_mark.line + 1
        if child is None:
            return line
        node = child
    return line


def file_kind(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in YAML_SUFFIXES:
        return "yaml"
    raise ModelFileError(f"unknown file type '{suffix or '(none)'}': use .yaml, .yml or .json", path)


def read_text(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ModelFileError(f"not UTF-8 text (byte {error.start})", path) from None
