"""Writing a model file and reading one back, with errors that name the file and line."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from sc_improve.atomic import write_text_atomically
from sim.errors import ModelError, ModelFileError
from sim.model import SimulationModel
from sim.serialize.checks import check_model
from sim.serialize.decode import model_from_dict
from sim.serialize.document import file_kind, load_document, read_text
from sim.serialize.encode import model_to_dict

SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
YAML_HEADER = (
    "# sc-improve simulation model. Durations in seconds, calendars with one value per hour\n"
    "# (Monday 00:00 first). Edit freely: the file is checked when read (docs/SIMULATION.md).\n"
)


def write_model(model: SimulationModel, path: str | Path) -> Path:
    """Write the model as YAML (.yaml/.yml) or JSON (.json), atomically; returns the path."""
    check_model(model)
    data = model_to_dict(model)
    if file_kind(path) == "json":
        text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    else:
        body = yaml.dump(
            data, Dumper=SAFE_DUMPER, sort_keys=False, default_flow_style=None, allow_unicode=True, width=110
        )
        text = YAML_HEADER + body
    return write_text_atomically(path, text)


def read_model(path: str | Path) -> SimulationModel:
    """Read and validate a model file; any problem is a :class:`ModelFileError` naming the line."""
    kind = file_kind(path)
    document = load_document(read_text(path), path, kind)
    try:
        return model_from_dict(document.data)
    except ModelError as error:
        raise ModelFileError(str(error), path, document.line_of(error.field)) from None
