"""No error path puts key material or a passphrase into a message, repr or traceback."""

import traceback
from collections.abc import Callable
from pathlib import Path

import pytest
from solders.keypair import Keypair

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.pubkey import b58encode
from rekt_tui.keystore import SERVICE_NAME, keypair_from_keygen_json, open_keystore
from rekt_tui.keystore.localnet_file import FILE_NAME

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

KEYPAIR = Keypair()
PASSPHRASE = "hunter2 but longer"
SECRETS = (
    str(KEYPAIR),
    str(KEYPAIR)[:-1],
    b58encode(bytes(KEYPAIR)[:32]),
    str(list(bytes(KEYPAIR)))[1:-1],
    str(list(bytes(KEYPAIR)[:32]))[1:-1],
    ",".join(map(str, bytes(KEYPAIR)[:32])),
    PASSPHRASE,
)


def _assert_clean(exc: BaseException, *extra: str) -> None:
    shown = "".join(traceback.format_exception(exc)) + repr(exc) + str(exc)
    for secret in (*SECRETS, *extra):
        assert secret not in shown


def _store_with(backend_class) -> Callable[[], object]:
    return lambda: make_keystore(backend_class()).store(KEYPAIR)


def _load_damaged() -> object:
    backend = MemoryKeyring()
    backend.entries[(SERVICE_NAME, str(KEYPAIR.pubkey()))] = str(KEYPAIR)[:-1]
    return make_keystore(backend).load(str(KEYPAIR.pubkey()))


def _load_swapped() -> object:
    backend = MemoryKeyring()
    other = Keypair()
    backend.entries[(SERVICE_NAME, str(other.pubkey()))] = str(KEYPAIR)
    return make_keystore(backend).load(str(other.pubkey()))


def _keygen(text: str) -> Callable[[], object]:
    return lambda: keypair_from_keygen_json(text, source="export.json")


ATTEMPTS = {
    "swapping backend": _store_with(SwappingKeyring),
    "mangling backend": _store_with(ManglingKeyring),
    "forgetful backend": _store_with(ForgetfulKeyring),
    "locked backend quoting the secret": _store_with(LockedKeyring),
    "keyring error quoting the secret": _store_with(BrokenKeyring),
    "other exception quoting the secret": _store_with(CrashingKeyring),
    "damaged stored secret": _load_damaged,
    "secret under another address": _load_swapped,
    "keygen with a mismatched half": _keygen(str([*bytes(KEYPAIR)[:32], *bytes(Keypair().pubkey())])),
    "keygen one byte short": _keygen(str(list(bytes(KEYPAIR))[:-1])),
    "keygen one value out of range": _keygen(str([*bytes(KEYPAIR)[:-1], 256])),
    "keygen truncated json": _keygen(str(list(bytes(KEYPAIR)))[:-1]),
}


@pytest.mark.parametrize("attempt", ATTEMPTS.values(), ids=ATTEMPTS.keys())
def test_error_paths_carry_no_secret(attempt: Callable[[], object]) -> None:
    with pytest.raises(RektError) as caught:
        attempt()
    _assert_clean(caught.value)


def test_damaged_localnet_file_error_does_not_quote_the_file(data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / FILE_NAME).write_text(f'{{"{KEYPAIR.pubkey()}": "{KEYPAIR}",')
    (data_dir / FILE_NAME).chmod(0o600)
    keystore = open_keystore(choice="localnet-file", cluster="localnet", data_dir=data_dir)
    with pytest.raises(RektError) as caught:
        keystore.load(str(KEYPAIR.pubkey()))
    _assert_clean(caught.value)


def test_wrong_passphrase_error_and_reprs_carry_no_secret(data_dir: Path) -> None:
    answers = iter([PASSPHRASE, PASSPHRASE])
    keystore = open_keystore(
        choice="cryptfile", cluster="devnet", data_dir=data_dir, prompt_passphrase=lambda _: next(answers)
    )
    keystore.store(KEYPAIR)
    for shown in (repr(keystore), str(keystore), repr(keystore.status), repr(keystore._backend)):
        for secret in SECRETS:
            assert secret not in shown
    with pytest.raises(RektError) as caught:
        open_keystore(
            choice="cryptfile", cluster="devnet", data_dir=data_dir, prompt_passphrase=lambda _: "wrong " + PASSPHRASE
        )
    _assert_clean(caught.value, "wrong " + PASSPHRASE)


def test_localnet_keystore_repr_carries_no_secret(data_dir: Path) -> None:
    keystore = open_keystore(choice="localnet-file", cluster="localnet", data_dir=data_dir)
    keystore.store(KEYPAIR)
    for secret in SECRETS:
        assert secret not in repr(keystore) and secret not in repr(keystore._backend)
