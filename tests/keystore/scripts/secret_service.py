"""Drives open_keystore against the Secret Service on the current D-Bus session.

usage: secret_service.py DATA_DIR round-trip | store | locked PUBKEY | unlocked PUBKEY | index
"""

import sys
from pathlib import Path

from keyring.backends.SecretService import Keyring as SecretService

from rekt_tui.keystore import SERVICE_NAME, KeystoreLocked, open_keystore

data_dir, mode = Path(sys.argv[1]), sys.argv[2]
keystore = open_keystore(choice="system", cluster="devnet", data_dir=data_dir)
assert keystore.backend_id == "secretservice", keystore.backend_id
assert keystore.status.secure and keystore.usable_on("mainnet")

if mode == "round-trip":
    keypair = keystore.generate()
    pubkey = str(keypair.pubkey())
    keystore.store(keypair)
    # It really is in the Secret Service, under service rekt-tui and the pubkey.
    assert SecretService().get_password(SERVICE_NAME, pubkey) == str(keypair)
    assert keystore.contains(pubkey)
    assert bytes(keystore.load(pubkey)) == bytes(keypair)
    # "auto" prefers the secure keyring to the localnet file, even on localnet.
    auto = open_keystore(choice="auto", cluster="localnet", data_dir=data_dir)
    assert auto.backend_id == "secretservice" and auto.contains(pubkey)
    keystore.delete(pubkey)
    assert not keystore.contains(pubkey)
    # No secret in the data dir: only the lock that keeps processes changing keys apart.
    written = sorted(str(path.relative_to(data_dir)) for path in data_dir.rglob("*"))
    assert written == ["locks", "locks/keystore.lock"], written
    assert (data_dir / "locks" / "keystore.lock").stat().st_size == 0
    print("secret service ok")
elif mode == "store":
    keypair = keystore.generate()
    keystore.store(keypair)
    print(keypair.pubkey())
elif mode == "locked":
    for attempt in (keystore.load, keystore.contains, keystore.delete):
        try:
            attempt(sys.argv[3])
        except KeystoreLocked as locked:
            assert "is locked; unlock it" in str(locked)
        else:
            raise AssertionError(f"{attempt.__name__} worked on a locked keyring")
    print("locked as expected")
elif mode == "index":
    # The pubkey index lives in the Secret Service beside the keys, and holds no secret.
    from rekt_tui.keystore.key_index import INDEX_SERVICE, INDEX_USERNAME

    first, second = keystore.generate(), keystore.generate()
    keystore.store(first, "devnet")
    keystore.store(second, "mainnet")
    assert keystore.indexed_keys() == {str(first.pubkey()): "devnet", str(second.pubkey()): "mainnet"}
    raw = SecretService().get_password(INDEX_SERVICE, INDEX_USERNAME)
    assert str(first) not in raw and str(second) not in raw
    keystore.delete(str(first.pubkey()))
    again = open_keystore(choice="system", cluster="devnet", data_dir=data_dir)  # as a later process
    assert again.indexed_keys() == {str(second.pubkey()): "mainnet"}
    print("index ok")
elif mode == "unlocked":
    assert keystore.load(sys.argv[3])
    print("still there")
