"""Keyring backends for tests, written against keyring's own `KeyringBackend` API.

They are marked not viable so keyring's discovery never offers them to other code
running in the same process; tests hand them to `Keystore` or `open_keystore`
directly.
"""

from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, KeyringLocked, PasswordDeleteError
from solders.keypair import Keypair

from rekt_tui.domain.status import KeystoreStatus
from rekt_tui.keystore import Keystore


class MemoryKeyring(KeyringBackend):
    """A dict of (service, username) -> secret."""

    viable = False
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class SwappingKeyring(MemoryKeyring):
    """Stores another keypair than the one it was given: a valid secret, wrong address."""

    def set_password(self, service: str, username: str, password: str) -> None:
        super().set_password(service, username, str(Keypair()))


class ManglingKeyring(MemoryKeyring):
    """Drops the last character of what it stores, like a truncating backend."""

    def set_password(self, service: str, username: str, password: str) -> None:
        super().set_password(service, username, password[:-1])


class ForgetfulKeyring(MemoryKeyring):
    """Accepts writes and keeps nothing."""

    def set_password(self, service: str, username: str, password: str) -> None:
        return None


class LockedKeyring(MemoryKeyring):
    """Raises KeyringLocked, quoting the secret it was handed as a careless backend might."""

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked(f"locked while reading {username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked(f"locked; could not store {password}")


class BrokenKeyring(MemoryKeyring):
    """Fails with keyring's generic error, its message carrying the secret."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError(f"backend exploded storing {password}")


class CrashingKeyring(MemoryKeyring):
    """Fails with a non-keyring exception whose message carries the secret."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise ValueError(f"cannot encode {password!r}")


def make_keystore(backend: KeyringBackend, label: str = "test keyring") -> Keystore:
    return Keystore(backend, backend_id="test", status=KeystoreStatus(backend=label, secure=True))
