"""The relaunched program's errors by name, with the codes its IDL gives them (6000 + index)."""

from functools import cache

from rekt_localnet.runtime.program import InstructionError

from .codec import program


@cache
def _codes() -> dict[str, int]:
    return {error.name: code for code, error in program().idl.errors.items()}


def error_code(name: str) -> int:
    """The custom error code of the program's error `name` (KeyError for a misspelt name)."""
    return _codes()[name]


def fail(name: str, message: str = "") -> InstructionError:
    """An InstructionError with the program's code for `name`, logged the way Anchor logs it."""
    code = error_code(name)
    detail = f" {message}" if message else ""
    return InstructionError(code, f"AnchorError occurred. Error Code: {name}. Error Number: {code}.{detail}")
