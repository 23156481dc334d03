"""K1 and backend selection: only exact allow-listed OS keyrings; refusals create nothing."""

from pathlib import Path

import keyring.backends.fail
import keyring.backends.null
import keyring.backends.SecretService
import pytest
from keyring.backend import KeyringBackend

from rekt_tui.domain.errors import UsageError
from rekt_tui.keystore import KeystoreUnavailable, open_keystore
from rekt_tui.keystore.policy import allowed_identity

from .backends import MemoryKeyring

FIX_FRAGMENTS = (
    "GNOME Keyring",
    "KWallet",
    "macOS Keychain",
    "Windows Credential Locker",
    "dbus-run-session -- sh",
    "echo -n PASS | gnome-keyring-daemon --unlock",
    'keystore_backend = "cryptfile"',
)


def _assert_nothing_created(data_dir: Path) -> None:
    assert not data_dir.exists() or not any(data_dir.iterdir())


def _refusal(
    data_dir: Path, candidates: list[KeyringBackend], *, choice: str = "system", cluster: str = "devnet"
) -> str:
    with pytest.raises(KeystoreUnavailable) as caught:
        open_keystore(choice=choice, cluster=cluster, data_dir=data_dir, candidates=candidates)
    assert caught.value.exit_code == 3
    message = str(caught.value)
    assert "\n" not in message
    for fragment in FIX_FRAGMENTS:
        assert fragment in message
    _assert_nothing_created(data_dir)
    return message


def test_k1_only_the_fail_backend_is_refused_with_name_and_fixes(data_dir: Path) -> None:
    message = _refusal(data_dir, [keyring.backends.fail.Keyring()])
    assert "found keyring's fail backend, refused because it means no real keyring is installed" in message


def test_k1_only_a_plaintext_backend_is_refused_and_its_file_untouched(data_dir: Path, plaintext_keyring) -> None:
    message = _refusal(data_dir, [plaintext_keyring])
    assert "keyrings.alt PlaintextKeyring (priority 0.5), refused because it stores keys in plaintext" in message
    assert not Path(plaintext_keyring.file_path).exists()
    assert not Path(plaintext_keyring.file_path).parent.exists()


def test_k1_refusal_lists_every_backend_found_and_exposes_a_status(data_dir: Path, plaintext_keyring) -> None:
    from keyrings.cryptfile.cryptfile import CryptFileKeyring

    found = [keyring.backends.fail.Keyring(), plaintext_keyring, CryptFileKeyring(), keyring.backends.null.Keyring()]
    with pytest.raises(KeystoreUnavailable) as caught:
        open_keystore(choice="auto", cluster="mainnet", data_dir=data_dir, candidates=found)
    message = str(caught.value)
    opt_in = "refused because an encrypted file is used only when you opt in"
    assert f"keyrings.cryptfile CryptFileKeyring (priority 2.5), {opt_in}" in message
    assert "keyring's null backend, refused because it stores nothing" in message
    # highest priority first
    assert message.index("CryptFileKeyring") < message.index("PlaintextKeyring") < message.index("fail backend")
    status = caught.value.status
    assert status is not None and not status.secure and status.problem == message
    assert "PlaintextKeyring" in status.backend
    _assert_nothing_created(data_dir)


def test_no_backend_at_all_is_refused(data_dir: Path) -> None:
    assert "found no keyring backend at all" in _refusal(data_dir, [])


def test_auto_on_devnet_without_a_secure_backend_is_refused(data_dir: Path, plaintext_keyring) -> None:
    _refusal(data_dir, [plaintext_keyring, keyring.backends.fail.Keyring()], choice="auto", cluster="devnet")


def test_system_on_localnet_does_not_fall_back_to_the_file(data_dir: Path) -> None:
    _refusal(data_dir, [keyring.backends.fail.Keyring()], choice="system", cluster="localnet")


def test_auto_on_localnet_falls_back_to_the_insecure_test_file(data_dir: Path, plaintext_keyring) -> None:
    keystore = open_keystore(choice="auto", cluster="localnet", data_dir=data_dir, candidates=[plaintext_keyring])
    assert keystore.backend_id == "localnet-file"
    assert keystore.status.backend == "localnet test keys (not secure)"
    assert keystore.status.secure is False
    assert keystore.usable_on("localnet") and not keystore.usable_on("devnet")
    _assert_nothing_created(data_dir)  # the file appears with the first key, not on open


def test_localnet_file_choice_is_refused_on_other_clusters(data_dir: Path) -> None:
    for cluster in ("devnet", "mainnet", "testnet"):
        with pytest.raises(KeystoreUnavailable, match=f"refused on {cluster}"):
            open_keystore(choice="localnet-file", cluster=cluster, data_dir=data_dir, candidates=[])
    _assert_nothing_created(data_dir)


def test_a_subclass_of_an_allow_listed_backend_is_refused(data_dir: Path) -> None:
    class PatchedSecretService(keyring.backends.SecretService.Keyring):
        priority = 99

    class Impostor(keyring.backends.SecretService.Keyring):
        priority = 99

    # Borrowing the genuine module and name does not make a class genuine.
    Impostor.__module__ = "keyring.backends.SecretService"
    Impostor.__qualname__ = "Keyring"

    for backend in (PatchedSecretService(), Impostor()):
        assert allowed_identity(backend) is None
        message = _refusal(data_dir, [backend])
        assert "refused because it is not one of the allow-listed OS keyrings" in message


def test_an_allow_listed_class_is_recognised_exactly() -> None:
    assert allowed_identity(keyring.backends.SecretService.Keyring()) == ("secretservice", "Secret Service keyring")
    assert allowed_identity(MemoryKeyring()) is None


def test_an_unknown_choice_is_a_usage_error(data_dir: Path) -> None:
    with pytest.raises(UsageError, match="keystore_backend must be one of auto, system, cryptfile, localnet-file"):
        open_keystore(choice="plaintext", cluster="devnet", data_dir=data_dir, candidates=[])
