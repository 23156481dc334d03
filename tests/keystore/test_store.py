"""Keystore over real keyring backends: round trips, read-back verification, error mapping."""

import pytest
from solders.keypair import Keypair

from rekt_tui.domain.errors import UsageError
from rekt_tui.domain.status import KeystoreStatus
from rekt_tui.keystore import (
    SERVICE_NAME,
    KeyNotFound,
    Keystore,
    KeystoreError,
    KeystoreLocked,
    KeyVerificationFailed,
)

from .backends import (
    BrokenKeyring,
    CrashingKeyring,
    ForgetfulKeyring,
    LockedKeyring,
    ManglingKeyring,
    MemoryKeyring,
    SwappingKeyring,
    make_keystore,
)


@pytest.mark.parametrize("backend_fixture", ["memory_keyring", "plaintext_keyring", "localnet_key_file"])
def test_round_trip_store_load_contains_delete(request: pytest.FixtureRequest, backend_fixture: str) -> None:
    backend = request.getfixturevalue(backend_fixture)
    keystore = make_keystore(backend)
    keypair = keystore.generate()
    pubkey = str(keypair.pubkey())
    assert not keystore.contains(pubkey)

    keystore.store(keypair)

    assert backend.get_password(SERVICE_NAME, pubkey) == str(keypair)
    assert keystore.contains(pubkey)
    assert bytes(keystore.load(pubkey)) == bytes(keypair)
    keystore.delete(pubkey)
    assert not keystore.contains(pubkey)
    keystore.delete(pubkey)  # already gone: cleanup may repeat
    with pytest.raises(KeyNotFound, match=pubkey):
        keystore.load(pubkey)


def test_generate_makes_distinct_keys_and_stores_nothing() -> None:
    backend = MemoryKeyring()
    keystore = make_keystore(backend)
    first, second = keystore.generate(), keystore.generate()
    assert first.pubkey() != second.pubkey()
    assert backend.entries == {}


@pytest.mark.parametrize("backend_class", [SwappingKeyring, ManglingKeyring, ForgetfulKeyring])
def test_store_refuses_to_report_success_when_read_back_differs(backend_class) -> None:
    keystore = make_keystore(backend_class())
    keypair = Keypair()
    with pytest.raises(KeyVerificationFailed, match=str(keypair.pubkey())):
        keystore.store(keypair)


def test_load_refuses_a_key_stored_under_another_address() -> None:
    backend = MemoryKeyring()
    keystore = make_keystore(backend)
    claimed = str(Keypair().pubkey())
    backend.entries[(SERVICE_NAME, claimed)] = str(Keypair())
    with pytest.raises(KeyVerificationFailed, match="another address"):
        keystore.load(claimed)


def test_load_refuses_a_damaged_secret() -> None:
    backend = MemoryKeyring()
    keystore = make_keystore(backend)
    pubkey = str(Keypair().pubkey())
    backend.entries[(SERVICE_NAME, pubkey)] = "not-base58-0OIl"
    with pytest.raises(KeyVerificationFailed, match="damaged"):
        keystore.load(pubkey)


def test_locked_keyring_maps_to_keystore_locked() -> None:
    keystore = make_keystore(LockedKeyring(), label="Secret Service keyring")
    pubkey = str(Keypair().pubkey())
    attempts = (lambda: keystore.load(pubkey), lambda: keystore.contains(pubkey), lambda: keystore.store(Keypair()))
    for attempt in attempts:
        with pytest.raises(KeystoreLocked) as caught:
            attempt()
        message = str(caught.value)
        assert "is locked; unlock it (" in message and message.endswith("and retry.")
        assert "gnome-keyring-daemon --unlock" in message


@pytest.mark.parametrize("backend_class", [BrokenKeyring, CrashingKeyring])
def test_other_backend_failures_map_to_keystore_error(backend_class) -> None:
    keystore = make_keystore(backend_class())
    with pytest.raises(KeystoreError) as caught:
        keystore.store(Keypair())
    assert type(caught.value) is KeystoreError
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


@pytest.mark.parametrize("bad", ["", "not a key", "0" * 44])
def test_bad_pubkey_argument_is_a_usage_error(bad: str) -> None:
    keystore = make_keystore(MemoryKeyring())
    for call in (keystore.load, keystore.contains, keystore.delete):
        with pytest.raises(UsageError):
            call(bad)


def test_usable_on_honours_cluster_scope() -> None:
    status = KeystoreStatus(backend="x", secure=True)
    anywhere = Keystore(MemoryKeyring(), backend_id="t", status=status)
    localnet_only = Keystore(MemoryKeyring(), backend_id="t", status=status, cluster_scope="localnet")
    assert anywhere.usable_on("mainnet") and anywhere.usable_on("localnet")
    assert localnet_only.usable_on("localnet")
    assert not localnet_only.usable_on("devnet") and not localnet_only.usable_on("mainnet")


@pytest.mark.parametrize("backend_fixture", ["memory_keyring", "plaintext_keyring", "localnet_key_file"])
def test_the_index_names_every_stored_key_and_forgets_deleted_ones(
    request: pytest.FixtureRequest, backend_fixture: str
) -> None:
    keystore = make_keystore(request.getfixturevalue(backend_fixture))
    assert keystore.indexed_keys() == {}
    kept, dropped, unscoped = Keypair(), Keypair(), Keypair()
    keystore.store(kept, "localnet")
    keystore.store(dropped, "devnet")
    keystore.store(unscoped)
    keystore.delete(str(dropped.pubkey()))
    assert keystore.indexed_keys() == {str(kept.pubkey()): "localnet", str(unscoped.pubkey()): None}
    keystore.store(kept)  # storing again never forgets the cluster it was made for
    assert keystore.indexed_keys()[str(kept.pubkey())] == "localnet"


class KeyWriteFails(MemoryKeyring):
    """Accepts the index entry, then fails the key itself: a crash between the two writes."""

    def set_password(self, service: str, username: str, password: str) -> None:
        if service == SERVICE_NAME:
            raise OSError("disk full")
        super().set_password(service, username, password)


def test_a_key_is_indexed_before_it_is_written() -> None:
    keystore = make_keystore(KeyWriteFails())
    keypair = Keypair()
    with pytest.raises(KeystoreError):
        keystore.store(keypair, "mainnet")
    pubkey = str(keypair.pubkey())
    assert keystore.indexed_keys() == {pubkey: "mainnet"}  # so no key can exist that the index misses
    assert not keystore.contains(pubkey)


def test_a_damaged_index_is_one_sentence() -> None:
    backend = MemoryKeyring()
    backend.entries[("rekt-tui-index", "session-pubkeys")] = "[not an object]"
    with pytest.raises(KeystoreError, match="delete that entry") as refused:
        make_keystore(backend).indexed_keys()
    assert "\n" not in str(refused.value)
