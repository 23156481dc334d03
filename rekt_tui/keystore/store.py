"""`Keystore`: session keypairs in one keyring backend, verified on every read.

Every backend — an OS keyring, the opt-in encrypted file, the localnet test file —
is driven through keyring's own `KeyringBackend` API, so there is one code path
for storing, reading back and loading keys whichever backend the policy chose.
A key is only reported stored after it has been read back and its pubkey
re-derived, because a session gets funded right after `store` returns. Every key is
listed in the backend's pubkey index (key_index.py) before it is written, so the
keystore can always name the keys it holds even when the registry is lost.
"""

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TypeVar

from keyring.backend import KeyringBackend
from keyring.errors import InitError, KeyringLocked, PasswordDeleteError
from solders.keypair import Keypair

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.pubkey import parse_pubkey
from rekt_tui.domain.status import KeystoreStatus
from rekt_tui.keystore.errors import KeyNotFound, KeystoreError, KeystoreLocked, KeyVerificationFailed
from rekt_tui.keystore.files import held_exclusively
from rekt_tui.keystore.key_index import INDEX_SERVICE, INDEX_USERNAME, parse_index, render_index
from rekt_tui.keystore.secret import keypair_from_secret, keypair_to_secret

log = logging.getLogger(__name__)

SERVICE_NAME = "rekt-tui"

UNLOCK_HINT = (
    "log in to the desktop session that owns it, or on headless Linux run "
    "`echo -n PASS | gnome-keyring-daemon --unlock` inside its D-Bus session"
)

_Result = TypeVar("_Result")


class Keystore:
    """Stores and loads session keypairs under service `rekt-tui`, username = pubkey."""

    def __init__(
        self,
        backend: KeyringBackend,
        *,
        backend_id: str,
        status: KeystoreStatus,
        cluster_scope: str | None = None,
    ) -> None:
        self._backend = backend
        self.backend_id = backend_id
        self.status = status
        self.cluster_scope = cluster_scope
        # The lock file of `_changing` (set by `open_keystore`, in the data dir's locks/).
        self.change_lock: Path | None = None

    def __repr__(self) -> str:
        return f"<Keystore {self.backend_id}: {self.status.backend}>"

    def generate(self) -> Keypair:
        """A fresh random keypair; not stored, so the caller can record it as pending first."""
        return Keypair()

    def store(self, keypair: Keypair, cluster: str | None = None) -> None:
        """List the pubkey in the index, write the keypair, then read it back and check its
        pubkey before anyone funds it. `cluster` is what the key was made for, kept in the index."""
        pubkey = str(keypair.pubkey())
        with self._changing():
            self._index_update(pubkey, lambda entries: entries.update({pubkey: cluster or entries.get(pubkey)}))
            secret = keypair_to_secret(keypair)
            self._guarded("store", pubkey, self._backend.set_password, SERVICE_NAME, pubkey, secret)
            stored = self._guarded("read back", pubkey, self._backend.get_password, SERVICE_NAME, pubkey)
        if stored is None:
            raise KeyVerificationFailed(
                f"{self.status.backend} accepted the key for session {pubkey} but does not give it back; "
                "do not fund it — fix the keystore or choose another keystore_backend and retry."
            )
        self._check(stored, pubkey, "after storing it")

    def load(self, pubkey: str) -> Keypair:
        """The keypair for `pubkey`; KeyNotFound when absent, KeystoreLocked when locked."""
        pubkey = parse_pubkey(pubkey, "session public key")
        stored = self._guarded("read", pubkey, self._backend.get_password, SERVICE_NAME, pubkey)
        if stored is None:
            raise KeyNotFound(f"{self.status.backend} holds no key for session {pubkey}.")
        return self._check(stored, pubkey, "when loading it")

    def contains(self, pubkey: str) -> bool:
        pubkey = parse_pubkey(pubkey, "session public key")
        return self._guarded("look up", pubkey, self._backend.get_password, SERVICE_NAME, pubkey) is not None

    def delete(self, pubkey: str) -> None:
        """Remove the key; a key that is already gone is not an error, so cleanup may repeat."""
        pubkey = parse_pubkey(pubkey, "session public key")
        with self._changing():
            if not self.contains(pubkey):
                return
            self._guarded("delete", pubkey, self._backend.delete_password, SERVICE_NAME, pubkey)
            try:
                self._index_update(pubkey, lambda entries: entries.pop(pubkey, None))
            except KeystoreError as error:  # the key is gone either way; a stale entry is skipped on rebuild
                log.warning("session %s stays in the key index: %s", pubkey, error.message)

    def indexed_keys(self) -> dict[str, str | None]:
        """Every pubkey this backend was asked to store and not told to delete -> its cluster if known.

        Listed before the key is written, so a key may be missing for an entry (a crash
        mid-store); check with `contains` before relying on one.
        """
        stored = self._guarded("list", "index", self._backend.get_password, INDEX_SERVICE, INDEX_USERNAME)
        return parse_index(stored, self.status.backend)

    def _changing(self) -> AbstractContextManager[None]:
        """Held across a whole store or delete: backends rewrite the key file or the index whole,
        so two processes changing keys at once would otherwise drop each other's."""
        return held_exclusively(self.change_lock) if self.change_lock is not None else nullcontext()

    def _index_update(self, pubkey: str, change: Callable[[dict[str, str | None]], object]) -> None:
        entries = self.indexed_keys()
        change(entries)
        rendered = render_index(entries)
        self._guarded("list", pubkey, self._backend.set_password, INDEX_SERVICE, INDEX_USERNAME, rendered)

    def usable_on(self, cluster: str) -> bool:
        """False for keys that must never sign outside their cluster (localnet test keys)."""
        return self.cluster_scope is None or cluster == self.cluster_scope

    def _check(self, stored: str, pubkey: str, when: str) -> Keypair:
        try:
            keypair = keypair_from_secret(stored)
        except ValueError as exc:
            raise KeyVerificationFailed(
                f"the key {self.status.backend} holds for session {pubkey} is damaged ({exc}) {when}; "
                "do not fund this session."
            ) from None
        if str(keypair.pubkey()) != pubkey:
            raise KeyVerificationFailed(
                f"{self.status.backend} returned a key for another address than session {pubkey} {when}; "
                "do not fund this session."
            )
        return keypair

    def _guarded(self, action: str, pubkey: str, call: Callable[..., _Result], *args: str) -> _Result:
        """Run one backend call, turning its failures into messages that carry no secret."""
        try:
            return call(*args)
        except RektError:
            raise
        except (KeyringLocked, InitError):
            raise KeystoreLocked(
                f"the keyring ({self.status.backend}) is locked; unlock it ({UNLOCK_HINT}) and retry."
            ) from None
        except PasswordDeleteError:
            raise KeystoreError(f"{self.status.backend} refused to delete the key for session {pubkey}.") from None
        except Exception as exc:  # noqa: BLE001 - a backend's own message may quote the secret
            raise KeystoreError(
                f"{self.status.backend} failed to {action} the key for session {pubkey} "
                f"({type(exc).__name__}); check that the keyring is running and retry."
            ) from None
