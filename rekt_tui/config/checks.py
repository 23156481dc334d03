"""The settings' validation: frozen dataclasses whose fields each name one check.

Plain Python, so the cockpit's first frame does not pay for a validation library
(docs/PERFORMANCE.md: cold start). A check takes the raw value (TOML, an environment
string, a flag) and returns the typed one or raises `ValueError` with the sentence the
loader shows after the key's name; nested settings raise `Invalid` with every problem
located. The sentences for types and bounds keep the wording users have seen before.
"""

import dataclasses
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from rekt_tui.domain.pubkey import is_pubkey

Check = Callable[[Any], Any]
Loc = tuple[str, ...]
M = TypeVar("M", bound="Model")

MISSING = "missing"
EXTRA = "extra"
BAD = "bad"


@dataclasses.dataclass(frozen=True)
class Problem:
    """One bad value: where it is, what kind of problem, the sentence, and what was given."""

    loc: Loc
    kind: str
    message: str = ""
    value: Any = None


class Invalid(ValueError):
    """Every problem found in one model's values."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{'.'.join(p.loc)}: {p.kind} {p.message}" for p in problems))
        self.problems = problems


def setting(check: Check, default: Any = dataclasses.MISSING, *, factory: Any = dataclasses.MISSING, dump: bool = True) -> Any:
    """A field validated by `check`; `dump=False` leaves it out of `dump` (a derived default)."""
    return dataclasses.field(default=default, default_factory=factory, metadata={"check": check, "dump": dump})


@dataclasses.dataclass(frozen=True, kw_only=True)
class Model:
    """Values are checked (and converted) when the object is built, whichever way it is built."""

    def __post_init__(self) -> None:
        values = self._before({f.name: getattr(self, f.name) for f in dataclasses.fields(self)})
        for name, value in self._checked(values).items():
            object.__setattr__(self, name, value)

    def _before(self, values: dict[str, Any]) -> dict[str, Any]:
        """Fill values derived from others (a subclass's hook)."""
        return values

    def _relations(self, valid: dict[str, Any]) -> dict[str, str]:
        """Problems between fields, by field, among the values that are valid on their own."""
        return {}

    def _checked(self, values: dict[str, Any]) -> dict[str, Any]:
        valid: dict[str, Any] = {}
        problems: list[Problem] = []
        for field in dataclasses.fields(self):
            raw = values[field.name]
            try:
                valid[field.name] = field.metadata["check"](raw)
            except Invalid as nested:
                problems += [dataclasses.replace(p, loc=(field.name, *p.loc)) for p in nested.problems]
            except (ValueError, TypeError, ArithmeticError) as error:
                problems.append(Problem((field.name,), BAD, str(error), raw))
        for name, message in self._relations(valid).items():
            problems.append(Problem((name,), BAD, message, valid.pop(name)))
        if problems:
            raise Invalid(problems)
        return valid

    @classmethod
    def parse(cls: type[M], data: object) -> M:
        """Build from a mapping of raw values; unknown and missing keys are problems too."""
        if isinstance(data, cls):
            return data
        if not isinstance(data, Mapping):
            raise ValueError(f"Input should be a valid dictionary or instance of {cls.__name__}")
        known = {f.name: f for f in dataclasses.fields(cls)}
        problems = [Problem((str(key),), EXTRA, value=value) for key, value in data.items() if key not in known]
        problems += [
            Problem((name,), MISSING)
            for name, f in known.items()
            if name not in data and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        ]
        given = {key: value for key, value in data.items() if key in known}
        if not problems:
            return cls(**given)
        for name, value in given.items():  # the given values' own problems, beside the keys'
            try:
                known[name].metadata["check"](value)
            except Invalid as nested:
                problems += [dataclasses.replace(p, loc=(name, *p.loc)) for p in nested.problems]
            except (ValueError, TypeError, ArithmeticError) as error:
                problems.append(Problem((name,), BAD, str(error), value))
        raise Invalid(problems)


def dump(model: Model) -> dict[str, Any]:
    """The model's values as plain data (nested models as dicts), without derived defaults."""
    return {
        f.name: _plain(getattr(model, f.name)) for f in dataclasses.fields(model) if f.metadata.get("dump", True)
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Model):
        return dump(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _choices(options: tuple[str, ...]) -> str:
    quoted = [repr(option) for option in options]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def one_of(*options: str) -> Check:
    def check(value: Any) -> str:
        if isinstance(value, str) and value in options:
            return value
        raise ValueError(f"Input should be {_choices(options)}")

    return check


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("Input should be a valid string")
    return value


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("1", "on", "t", "true", "y", "yes"):
            return True
        if word in ("0", "off", "f", "false", "n", "no"):
            return False
    if isinstance(value, str | int | Decimal):
        raise ValueError("Input should be a valid boolean, unable to interpret input")
    raise ValueError("Input should be a valid boolean")


def _bounded(value: Any, gt: Any, ge: Any, le: Any) -> Any:
    if gt is not None and not value > gt:
        raise ValueError(f"Input should be greater than {gt}")
    if ge is not None and not value >= ge:
        raise ValueError(f"Input should be greater than or equal to {ge}")
    if le is not None and not value <= le:
        raise ValueError(f"Input should be less than or equal to {le}")
    return value


def integer(*, gt: int | None = None, ge: int | None = None, le: int | None = None) -> Check:
    def check(value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError("Input should be a valid integer")
        if isinstance(value, str):  # "30" or "30.0" (an environment variable)
            try:
                value = Decimal(value.strip())
            except InvalidOperation:
                raise ValueError("Input should be a valid integer, unable to parse string as an integer") from None
        if isinstance(value, Decimal | float):
            if not Decimal(value).is_finite() or value != int(value):
                raise ValueError("Input should be a valid integer, got a number with a fractional part")
            value = int(value)
        if not isinstance(value, int):
            raise ValueError("Input should be a valid integer")
        return _bounded(value, gt, ge, le)

    return check


def decimal(*, gt: int | None = None, ge: int | None = None, le: int | None = None) -> Check:
    def check(value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
            raise ValueError("Input should be a valid decimal")
        try:
            number = Decimal(value.strip() if isinstance(value, str) else str(value) if isinstance(value, float) else value)
        except InvalidOperation:
            raise ValueError("Input should be a valid decimal") from None
        if not number.is_finite():
            raise ValueError("Input should be a finite number")
        return _bounded(number, gt, ge, le)

    return check


def optional(check: Check, *, off: bool = False) -> Check:
    """None is allowed; with `off`, so is `"off"` (TOML has no null), meaning None."""

    def optional_check(value: Any) -> Any:
        if value is None or (off and isinstance(value, str) and value.strip().lower() == "off"):
            return None
        return check(value)

    return optional_check


def url(*schemes: str) -> Check:
    def check(value: Any) -> str:
        parts = urlsplit(text(value))
        if parts.scheme not in schemes or not parts.hostname:
            raise ValueError(f"must be a URL starting with {' or '.join(s + '://' for s in schemes)} and naming a host")
        return value

    return check


def template(placeholder: str) -> Check:
    def check(value: Any) -> str:
        if "{" + placeholder + "}" not in text(value):
            raise ValueError(f"must contain {{{placeholder}}} where the {placeholder} goes")
        return value

    return check


def pubkey(value: Any) -> str:
    if not is_pubkey(text(value)):
        raise ValueError("must be a base58 Solana public key (32 to 44 characters)")
    return value


def sha256_hex(value: Any) -> str:
    digest = text(value).strip().lower()
    if len(digest) != 64 or any(char not in "0123456789abcdef" for char in digest):
        raise ValueError("must be a sha256 digest: 64 hexadecimal characters")
    return digest


def directory(value: Any) -> Path:
    # Path("") is the current directory, and "~" is not expanded by Path: neither is what the
    # user meant, and keys would land in the wrong place. A relative one is anchored at the
    # working directory now: a daemon started from it, and file URIs, need it whole.
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("must name a directory")
        return Path(value).expanduser().absolute()
    if isinstance(value, Path):
        return value.expanduser().absolute()
    raise ValueError("Input is not a valid path")


def tuple_of(check: Check) -> Check:
    def tuple_check(values: Any) -> tuple[Any, ...]:
        if not isinstance(values, list | tuple):
            raise ValueError("Input should be a valid tuple")
        checked, problems = [], []
        for index, value in enumerate(values):
            try:
                checked.append(check(value))
            except ValueError as error:
                problems.append(Problem((str(index),), BAD, str(error), value))
        if problems:
            raise Invalid(problems)
        return tuple(checked)

    return tuple_check


def table_of(model: type[Model], key: Check = text) -> Check:
    """A TOML table of one kind of settings, by name (`[strategies.NAME]`, `[clusters.NAME]`)."""

    def table_check(values: Any) -> dict[str, Any]:
        if not isinstance(values, Mapping):
            raise ValueError("Input should be a valid dictionary")
        checked, problems = {}, []
        for name, value in values.items():
            try:
                key(name)
            except ValueError as error:
                problems.append(Problem((str(name),), BAD, str(error), name))
                continue
            try:
                checked[name] = model.parse(value)
            except Invalid as nested:
                problems += [dataclasses.replace(p, loc=(str(name), *p.loc)) for p in nested.problems]
            except ValueError as error:
                problems.append(Problem((str(name),), BAD, str(error), value))
        if problems:
            raise Invalid(problems)
        return checked

    return table_check


def nested(model: type[Model]) -> Check:
    return model.parse
