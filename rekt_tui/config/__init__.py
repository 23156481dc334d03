"""Settings: checked dataclasses and the layered loader."""

from rekt_tui.config.loader import ConfigError, load_settings
from rekt_tui.config.models import ClusterProfile, Settings, StrategySettings, UiSettings, default_config_path

__all__ = [
    "ClusterProfile",
    "ConfigError",
    "Settings",
    "StrategySettings",
    "UiSettings",
    "default_config_path",
    "load_settings",
]
