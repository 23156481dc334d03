"""Session keypairs in a keystore the security policy accepts.

Layer: imports keyring, solders and `rekt_tui.domain` only. `Keypair` is re-exported
so services can name the type without importing solders themselves.

The errors load with the package; everything else (keyring, solders) loads on first use,
so naming a keystore error costs the cockpit's first frame nothing (docs/PERFORMANCE.md).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from rekt_tui.keystore.errors import (
    KeyNotFound,
    KeystoreError,
    KeystoreLocked,
    KeystoreUnavailable,
    KeyVerificationFailed,
)

if TYPE_CHECKING:
    from solders.keypair import Keypair

    from rekt_tui.keystore.keygen_json import (
        keypair_from_keygen_json,
        keypair_to_keygen_json,
        read_keygen_file,
        write_keygen_file,
    )
    from rekt_tui.keystore.localnet_file import LocalnetKeyFile
    from rekt_tui.keystore.policy import ALLOWED_BACKENDS, CHOICES, open_keystore
    from rekt_tui.keystore.store import SERVICE_NAME, Keystore

# Where each lazily loaded name lives.
_LAZY = {
    "Keypair": "solders.keypair",
    "keypair_from_keygen_json": "rekt_tui.keystore.keygen_json",
    "keypair_to_keygen_json": "rekt_tui.keystore.keygen_json",
    "read_keygen_file": "rekt_tui.keystore.keygen_json",
    "write_keygen_file": "rekt_tui.keystore.keygen_json",
    "LocalnetKeyFile": "rekt_tui.keystore.localnet_file",
    "ALLOWED_BACKENDS": "rekt_tui.keystore.policy",
    "CHOICES": "rekt_tui.keystore.policy",
    "open_keystore": "rekt_tui.keystore.policy",
    "SERVICE_NAME": "rekt_tui.keystore.store",
    "Keystore": "rekt_tui.keystore.store",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name]), name)
    globals()[name] = value  # later look-ups skip this hook
    return value


__all__ = [
    "ALLOWED_BACKENDS",
    "CHOICES",
    "SERVICE_NAME",
    "KeyNotFound",
    "Keypair",
    "Keystore",
    "KeystoreError",
    "KeystoreLocked",
    "KeystoreUnavailable",
    "KeyVerificationFailed",
    "LocalnetKeyFile",
    "keypair_from_keygen_json",
    "keypair_to_keygen_json",
    "open_keystore",
    "read_keygen_file",
    "write_keygen_file",
]
