"""The local SQLite registry: schema, migrations and one repository API (`Registry`)."""

from rekt_tui.registry.connection import REGISTRY_FILENAME
from rekt_tui.registry.errors import (
    InvalidStatusTransition,
    MigrationFailed,
    RecordNotFound,
    RegistryCorrupt,
    RegistryDiskFull,
    RegistryError,
    RegistryLost,
    RegistryNeedsUpgrade,
    RegistryReadOnly,
    RegistryTooNew,
    SessionBusy,
    SessionExists,
    SessionNotFound,
    TransactionNotFound,
    UserOrderIdInUse,
)
from rekt_tui.registry.migrations import MIGRATIONS, Migration
from rekt_tui.registry.rebuild import KnownKey, RebuildResult, rebuild_registry
from rekt_tui.registry.store import Registry

__all__ = [
    "MIGRATIONS",
    "REGISTRY_FILENAME",
    "InvalidStatusTransition",
    "KnownKey",
    "Migration",
    "RebuildResult",
    "MigrationFailed",
    "RecordNotFound",
    "Registry",
    "RegistryCorrupt",
    "RegistryDiskFull",
    "RegistryError",
    "RegistryLost",
    "RegistryNeedsUpgrade",
    "RegistryReadOnly",
    "RegistryTooNew",
    "SessionBusy",
    "SessionExists",
    "SessionNotFound",
    "TransactionNotFound",
    "UserOrderIdInUse",
    "rebuild_registry",
]
