"""With no session bus, keyring's own discovery offers plaintext files: open_keystore must refuse.

usage: plaintext_only.py DATA_DIR
"""

import sys
from pathlib import Path

import keyring.backend

from rekt_tui.keystore import KeystoreUnavailable, open_keystore

found = {type(backend).__qualname__ for backend in keyring.backend.get_all_keyring()}
assert "PlaintextKeyring" in found, found
data_dir = Path(sys.argv[1])
for choice in ("system", "auto"):
    try:
        open_keystore(choice=choice, cluster="devnet", data_dir=data_dir)
    except KeystoreUnavailable as refusal:
        message = str(refusal)
    else:
        raise AssertionError(f"choice {choice!r} accepted a plaintext backend")
    assert "keyrings.alt PlaintextKeyring (priority 0.5), refused because it stores keys in plaintext" in message
assert not data_dir.exists()
print("refused")
