"""Build `Settings` from defaults < TOML file < REKT_* environment < command-line flags.

Every value remembers where it came from, so a bad one is reported as one sentence that
names the file (or variable, or flag), the key and the fix — never a traceback.
"""

import os
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from rekt_tui.config.checks import EXTRA, MISSING, Invalid, Problem, dump
from rekt_tui.config.models import Settings, default_config_path
from rekt_tui.domain.errors import UsageError

ENV_PREFIX = "REKT_"
ENV_NESTING = "__"
DEFAULTS = "the defaults"

Path_ = tuple[str, ...]


class ConfigError(UsageError):
    """A setting is wrong; the message names where it was set and how to fix it."""


def load_settings(
    *,
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    flags: Mapping[str, Any] | None = None,
) -> Settings:
    """Resolve the effective settings; raise ConfigError with one line per bad value."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    origins: dict[Path_, str] = {}
    file_values, file_label = _read_file(config_path)
    if file_values:
        _merge(values, origins, file_values, file_label, ())
    _merge(values, origins, _read_environment(environ), None, ())
    _merge(values, origins, dict(flags or {}), None, ())
    try:
        settings = Settings.parse(_with_defaults(values))
    except Invalid as invalid:
        raise ConfigError("\n".join(_describe(problem, origins) for problem in invalid.problems)) from None
    _check_mainnet_opt_in(settings, origins)
    return settings


def _read_file(config_path: Path | None) -> tuple[dict[str, Any], str]:
    explicit = config_path is not None
    path = (config_path or default_config_path()).expanduser()
    label = f"config file {path}"
    if not path.exists():
        if explicit:
            raise ConfigError(f"{label} does not exist; check the --config path or create it from config.example.toml.")
        return {}, label
    try:
        # Decimal keeps amounts such as gas_reserve_sol = 0.002 exact.
        return tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal), label
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{label} is not valid TOML ({error}); fix the syntax at that spot.") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "it is not UTF-8 text"
        raise ConfigError(f"{label} cannot be read ({reason}); check its permissions and encoding.") from None


def _read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """REKT_UI__MAX_REPAINT_HZ=30 becomes {"ui": {"max_repaint_hz": "30"}}."""
    tree: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        keys = [part.lower() for part in name[len(ENV_PREFIX) :].split(ENV_NESTING)]
        node = tree
        for key in keys[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise ConfigError(f"environment variable {name} clashes with another REKT_ variable; unset one of them.")
        node[keys[-1]] = _EnvValue(name, raw)
    return tree


class _EnvValue(str):
    """A string from the environment that remembers its variable name for error messages."""

    variable: str

    def __new__(cls, variable: str, raw: str) -> "_EnvValue":
        value = super().__new__(cls, raw)
        value.variable = variable
        return value


def _merge(target: dict[str, Any], origins: dict[Path_, str], layer: dict[str, Any], label: str | None, prefix: Path_) -> None:
    for key, value in layer.items():
        path = (*prefix, str(key))
        if isinstance(value, dict):
            existing = target.get(key)
            node = existing if isinstance(existing, dict) else {}
            target[key] = node
            origins.setdefault(path, label or _origin_of(value, path))
            _merge(node, origins, value, label, path)
        else:
            target[key] = str(value) if isinstance(value, _EnvValue) else value
            origins[path] = label or _origin_of(value, path)


def _origin_of(value: Any, path: Path_) -> str:
    if isinstance(value, _EnvValue):
        return f"environment variable {value.variable}"
    return "option --" + path[-1].replace("_", "-")


def _with_defaults(values: dict[str, Any]) -> dict[str, Any]:
    """Overlay user values on the defaults leaf by leaf, so a partial profile keeps the rest."""
    merged = dump(Settings())
    _overlay(merged, values)
    return merged


def _overlay(base: dict[str, Any], top: dict[str, Any]) -> None:
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _overlay(base[key], value)
        else:
            base[key] = value


def _describe(problem: Problem, origins: dict[Path_, str]) -> str:
    key = ".".join(problem.loc)
    source = _source_for(problem.loc, origins)
    if problem.kind == EXTRA:
        return f"{source}: `{key}` is not a setting; check its spelling against config.example.toml or remove it."
    if problem.kind == MISSING:
        return f"{source}: `{key}` is required; add it (see config.example.toml)."
    return f"{source}: `{key}` {_lower_first(problem.message)} (got {problem.value!r}); fix it or remove it to use the default."


def _source_for(path: Path_, origins: dict[Path_, str]) -> str:
    for end in range(len(path), 0, -1):
        if path[:end] in origins:
            return origins[path[:end]]
    return DEFAULTS


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _check_mainnet_opt_in(settings: Settings, origins: dict[Path_, str]) -> None:
    if settings.cluster == "mainnet" and not settings.allow_mainnet:
        source = origins.get(("cluster",), DEFAULTS)
        raise ConfigError(
            f"{source} selects mainnet, which trades real money; opt in with --mainnet or allow_mainnet = true."
        )
