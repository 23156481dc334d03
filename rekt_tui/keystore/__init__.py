"""Session keypairs in a keystore the security policy accepts.

Layer: imports keyring, solders and `rekt_tui.domain` only. `Keypair` is re-exported
so services can name the type without importing solders themselves.
"""

from solders.keypair import Keypair

from rekt_tui.keystore.errors import (
    KeyNotFound,
    KeystoreError,
    KeystoreLocked,
    KeystoreUnavailable,
    KeyVerificationFailed,
)
from rekt_tui.keystore.keygen_json import (
    keypair_from_keygen_json,
    keypair_to_keygen_json,
    read_keygen_file,
    write_keygen_file,
)
from rekt_tui.keystore.localnet_file import LocalnetKeyFile
from rekt_tui.keystore.policy import ALLOWED_BACKENDS, CHOICES, open_keystore
from rekt_tui.keystore.store import SERVICE_NAME, Keystore

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
