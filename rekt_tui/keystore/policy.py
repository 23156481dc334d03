"""Which keyring backend may hold session keys: secure by default.

keyring's own choice (`get_keyring()`, `core.recommended`) is not trusted: with
keyrings.alt installed it silently settles for a plaintext file. Instead only the
OS keyrings below are accepted, matched by their exact class — a subclass could
change where secrets go, so it does not count. Anything else is refused with one
message naming what was found, why it was refused and how to fix it, and nothing
is created on disk. The encrypted file and the localnet test file are used only
when asked for (or, for the localnet file, when "auto" runs on localnet).
"""

import sys
from collections.abc import Iterable
from pathlib import Path

import keyring.backend
from keyring.backend import KeyringBackend

from rekt_tui.domain.errors import UsageError
from rekt_tui.domain.status import KeystoreStatus
from rekt_tui.keystore import localnet_file
from rekt_tui.keystore.encrypted_file import PromptPassphrase, open_encrypted_file
from rekt_tui.keystore.errors import KeystoreUnavailable
from rekt_tui.keystore.store import Keystore

LOCALNET = "localnet"
CHOICES = ("auto", "system", "cryptfile", "localnet-file")
CHANGE_LOCK_NAME = "keystore.lock"

# (module, qualname) -> (backend id stored in the registry, label shown to the user)
ALLOWED_BACKENDS: dict[tuple[str, str], tuple[str, str]] = {
    ("keyring.backends.SecretService", "Keyring"): ("secretservice", "Secret Service keyring"),
    ("keyring.backends.libsecret", "Keyring"): ("libsecret", "Secret Service keyring (libsecret)"),
    ("keyring.backends.kwallet", "DBusKeyring"): ("kwallet", "KWallet"),
    ("keyring.backends.kwallet", "DBusKeyringKWallet4"): ("kwallet4", "KWallet 4"),
    ("keyring.backends.macOS", "Keyring"): ("macos", "macOS Keychain"),
    ("keyring.backends.Windows", "WinVaultKeyring"): ("windows", "Windows Credential Locker"),
}

FIXES = (
    "run a desktop keyring (GNOME Keyring, KWallet, macOS Keychain or Windows Credential Locker) and unlock it, "
    "or on headless Linux start a shell with `dbus-run-session -- sh` and run "
    "`echo -n PASS | gnome-keyring-daemon --unlock` in it before rekt-tui, "
    'or opt in to an encrypted key file with keystore_backend = "cryptfile"'
)


def open_keystore(
    *,
    choice: str,
    cluster: str,
    data_dir: Path,
    prompt_passphrase: PromptPassphrase | None = None,
    candidates: Iterable[KeyringBackend] | None = None,
) -> Keystore:
    """Open the keystore `choice` names for `cluster`, or raise KeystoreUnavailable.

    `candidates` are viable keyring backends (instances); by default keyring's
    discovery of every installed backend, injectable so tests can pose any machine.
    """
    keystore = _open(choice, cluster, data_dir, prompt_passphrase, candidates)
    keystore.change_lock = data_dir / "locks" / CHANGE_LOCK_NAME  # beside the signing locks; no secret in it
    return keystore


def _open(
    choice: str, cluster: str, data_dir: Path, prompt_passphrase: PromptPassphrase | None,
    candidates: Iterable[KeyringBackend] | None,
) -> Keystore:  # fmt: skip
    if choice not in CHOICES:
        raise UsageError(f"keystore_backend must be one of {', '.join(CHOICES)} (got {choice!r}).")
    if choice == "cryptfile":
        return open_encrypted_file(data_dir, prompt_passphrase)
    if choice == "localnet-file":
        return _open_localnet_file(data_dir, cluster)
    found = list(keyring.backend.get_all_keyring() if candidates is None else candidates)
    chosen = _best_allowed(found)
    if chosen is not None:
        return chosen
    if choice == "auto" and cluster == LOCALNET:
        return _open_localnet_file(data_dir, cluster)
    raise refusal(found, cluster)


def allowed_identity(backend: KeyringBackend) -> tuple[str, str] | None:
    """(backend id, label) when `backend` is exactly an allow-listed class, else None.

    The class must be the very object its module defines: a subclass, or a class
    that only borrows an allowed module and qualname, is refused.
    """
    cls = type(backend)
    key = (cls.__module__, cls.__qualname__)
    identity = ALLOWED_BACKENDS.get(key)
    module = sys.modules.get(cls.__module__)
    if identity is None or module is None or getattr(module, cls.__qualname__, None) is not cls:
        return None
    return identity


def refusal(found: list[KeyringBackend], cluster: str) -> KeystoreUnavailable:
    """The one message for "nothing secure here": what was found, why refused, the fixes."""
    # The chainer only forwards to the other backends, which are listed themselves.
    listed = [backend for backend in found if type(backend).__module__ != "keyring.backends.chainer"]
    listed.sort(key=lambda backend: _priority(backend) or 0.0, reverse=True)
    descriptions = [f"{_describe(backend)}, refused because {_refusal_reason(backend)}" for backend in listed]
    what = "; ".join(descriptions) if descriptions else "no keyring backend at all"
    message = f"No secure keyring can hold session keys for {cluster}: found {what}; to fix it, {FIXES}."
    names = ", ".join(_describe(backend) for backend in listed) or "no keyring backend"
    return KeystoreUnavailable(message, status=KeystoreStatus(backend=names, secure=False, problem=message))


def _best_allowed(found: list[KeyringBackend]) -> Keystore | None:
    ranked = []
    for backend in found:
        identity = allowed_identity(backend)
        priority = _priority(backend)
        if identity is not None and priority is not None:
            ranked.append((priority, backend, identity))
    if not ranked:
        return None
    _, backend, (backend_id, label) = max(ranked, key=lambda entry: entry[0])
    return Keystore(backend, backend_id=backend_id, status=KeystoreStatus(backend=label, secure=True))


def _open_localnet_file(data_dir: Path, cluster: str) -> Keystore:
    if cluster != LOCALNET:
        raise KeystoreUnavailable(
            f'keystore_backend = "localnet-file" keeps keys unencrypted and is refused on {cluster}; '
            'use a desktop keyring or keystore_backend = "cryptfile".'
        )
    status = KeystoreStatus(backend=localnet_file.STATUS_LABEL, secure=False)
    backend = localnet_file.LocalnetKeyFile(data_dir)
    return Keystore(backend, backend_id="localnet-file", status=status, cluster_scope=LOCALNET)


def _priority(backend: KeyringBackend) -> float | None:
    """The backend's priority, or None when it reports itself unusable here."""
    try:
        return float(type(backend).priority)
    except Exception:  # noqa: BLE001 - keyring signals "not usable here" by raising from priority
        return None


def _describe(backend: KeyringBackend) -> str:
    cls = type(backend)
    if cls.__module__ == "keyring.backends.fail":
        return "keyring's fail backend"
    if cls.__module__ == "keyring.backends.null":
        return "keyring's null backend"
    parts = cls.__module__.split(".")
    package = ".".join(parts[:2]) if parts[0] == "keyrings" else parts[0]
    priority = _priority(backend)
    shown = "unavailable here" if priority is None else f"priority {priority:g}"
    return f"{package} {cls.__qualname__} ({shown})"


def _refusal_reason(backend: KeyringBackend) -> str:
    cls = type(backend)
    if cls.__module__ == "keyring.backends.fail":
        return "it means no real keyring is installed or running"
    if cls.__module__ == "keyring.backends.null":
        return "it stores nothing"
    if "plaintext" in cls.__qualname__.lower():
        return "it stores keys in plaintext"
    if (cls.__module__, cls.__qualname__) == ("keyrings.cryptfile.cryptfile", "CryptFileKeyring"):
        return "an encrypted file is used only when you opt in"
    if allowed_identity(backend) is not None:
        return "it reports itself unusable here"
    return "it is not one of the allow-listed OS keyrings"
