"""Keystore failures, each a `RektError` whose message is safe to show.

No message here ever carries key material: a keypair's `repr` prints its secret
bytes, so messages name the session pubkey and the backend only, and failures of
a backend are re-raised `from None` because its own message may quote what it
was given.
"""

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.status import KeystoreStatus


class KeystoreError(RektError):
    """A keystore operation failed; the message says which key and which backend."""


class KeystoreUnavailable(KeystoreError):
    """No keystore the policy accepts could be opened, and nothing was created.

    `status` tells the shell what was found so it can show the problem before any
    chain data; it is None when the refusal is about the request itself.
    """

    exit_code = 3

    def __init__(self, message: str, *, status: KeystoreStatus | None = None) -> None:
        super().__init__(message)
        self.status = status


class KeystoreLocked(KeystoreError):
    """The keyring exists but is locked: keys are there, just unreadable for now (K3)."""


class KeyNotFound(KeystoreError):
    """The keystore holds no key for the session pubkey asked for."""


class KeyVerificationFailed(KeystoreError):
    """What the keystore gave back does not match the key it was given or asked for."""
