"""Drift's custom errors by name, with the codes the IDL gives them (6000 + index)."""

import json
from functools import cache
from importlib import resources

from rekt_localnet.runtime.program import InstructionError


@cache
def _codes() -> dict[str, int]:
    idl = json.loads(resources.files("driftpy").joinpath("idl/drift.json").read_text())
    return {error["name"]: error["code"] for error in idl["errors"]}


def error_code(name: str) -> int:
    """The custom error code of Drift's error `name` (KeyError for a misspelt name)."""
    return _codes()[name]


def fail(name: str, message: str = "") -> InstructionError:
    """An InstructionError carrying Drift's code for `name`; the log says what went wrong."""
    return InstructionError(error_code(name), f"{name}: {message}" if message else name)
