"""Session wallets: create, import, export, and settle creations a crash interrupted.

The order of writes is what keeps funds findable (docs/RELIABILITY.md, K2): the registry row
is committed as `key_pending` before the key reaches the keyring, and promoted to
`active` only after the key has been read back and checked. An address is shown to the
user only once its row is `active`, so nothing can be funded without a record and a key.

Keyring calls can block (D-Bus, an unlock prompt, an encrypted file's key derivation),
so they run in a worker thread and never stall the UI's event loop.
"""

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.keystore import (
    Keypair,
    Keystore,
    KeyNotFound,
    KeyVerificationFailed,
    read_keygen_file,
    write_keygen_file,
)
from rekt_tui.registry import Registry, SessionBusy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PendingKeyOutcome:
    """What became of a `key_pending` row found at launch."""

    pubkey: str
    promoted: bool  # True: key verified, row now active; False: no key, row removed


class WalletService:
    def __init__(self, registry: Registry, keystore: Keystore, cluster: str) -> None:
        self._registry = registry
        self._keystore = keystore
        self._cluster = cluster

    async def create(self, label: str = "") -> SessionRecord:
        """A fresh session wallet, recorded and verified before its address is shown."""
        return await self._adopt(self._keystore.generate(), label)

    async def import_file(self, path: Path, label: str = "") -> SessionRecord:
        keypair = await asyncio.to_thread(read_keygen_file, path)
        return await self._adopt(keypair, label or f"imported from {path.name}")

    async def export_file(self, pubkey: str, path: Path) -> None:
        """Write the key as solana-keygen JSON (mode 0600). Confirmation is the caller's job."""
        session = await self._session(pubkey)
        keypair = await asyncio.to_thread(self._keystore.load, session.pubkey)
        await asyncio.to_thread(write_keygen_file, path, keypair)
        log.info("exported key of session %s to %s", pubkey, path)

    async def key_present(self, pubkey: str) -> bool:
        return await asyncio.to_thread(self._keystore.contains, pubkey)

    async def settle_pending_keys(self) -> list[PendingKeyOutcome]:
        """Finish what a crash between row, keyring write and promotion left behind."""
        outcomes = []
        for session in await self._registry.list_sessions(cluster=self._cluster):
            if session.status is not SessionStatus.KEY_PENDING or session.key_backend != self._keystore.backend_id:
                continue
            try:
                # A creator holds the session's lock from row to promotion: one being created now is not ours.
                async with self._registry.signing_lock(session.pubkey, wait_s=0):
                    outcome = await self._settle(session.pubkey)
            except SessionBusy:
                continue
            if outcome is not None:
                outcomes.append(outcome)
        return outcomes

    async def _settle(self, pubkey: str) -> PendingKeyOutcome | None:
        session = await self._registry.get_session(pubkey)
        if session is None or session.status is not SessionStatus.KEY_PENDING:
            return None  # its creator finished it meanwhile
        if await asyncio.to_thread(self._key_verifies, pubkey):
            await self._registry.set_session_status(pubkey, SessionStatus.ACTIVE)
            log.info("promoted session %s: its key was found and verified", pubkey)
            return PendingKeyOutcome(pubkey, promoted=True)
        # The address was never shown (the row was not active), so nothing can hold funds.
        await self._registry.delete_key_pending_session(pubkey)
        log.info("removed session %s: its key never reached the keystore", pubkey)
        return PendingKeyOutcome(pubkey, promoted=False)

    async def _adopt(self, keypair: Keypair, label: str) -> SessionRecord:
        if not self._keystore.usable_on(self._cluster):
            raise RektError(f"{self._keystore.status.backend} cannot hold keys for {self._cluster}.")
        pubkey = str(keypair.pubkey())
        async with self._registry.signing_lock(pubkey):  # so no other process settles it half-made
            await self._registry.create_session(
                pubkey=pubkey, cluster=self._cluster, label=label, key_backend=self._keystore.backend_id
            )
            try:
                # Writes, then reads back and checks the pubkey.
                await asyncio.to_thread(self._keystore.store, keypair, self._cluster)
            except RektError:
                await self._discard(pubkey)
                raise
            session = await self._registry.set_session_status(pubkey, SessionStatus.ACTIVE)
        log.info("created session %s in %s", pubkey, self._keystore.status.backend)
        return session

    async def _session(self, pubkey: str) -> SessionRecord:
        session = await self._registry.get_session(pubkey)
        if session is None:
            raise RektError(f"No session wallet {pubkey} is recorded; `rekt-tui wallet list` shows the known ones.")
        if session.cluster != self._cluster:
            raise RektError(f"Session wallet {pubkey} belongs to {session.cluster}; add --cluster {session.cluster}.")
        return session

    def _key_verifies(self, pubkey: str) -> bool:
        try:
            self._keystore.load(pubkey)  # load checks the key against its pubkey
        except KeyNotFound:
            return False
        except KeyVerificationFailed:
            self._keystore.delete(pubkey)  # a garbled entry for an address never shown
            return False
        return True

    async def _discard(self, pubkey: str) -> None:
        """Undo a creation whose key did not verify; its address was never shown."""
        await asyncio.to_thread(self._keystore.delete, pubkey)  # idempotent
        await self._registry.delete_key_pending_session(pubkey)
