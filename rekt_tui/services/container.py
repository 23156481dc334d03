"""The services of one run, built in one place (the CLI) and handed to the UI.

No module-level singletons: everything a command or the TUI uses hangs off `Services`.
The keystore is opened lazily because some backends prompt (an encrypted file asks for
its passphrase) and commands such as `sessions` never need a key; its libraries (keyring,
solders) load with it, not with this module, so the cockpit's first frame does without them.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rekt_tui.config import Settings
from rekt_tui.domain.brackets import WaitingLeg, waiting_legs
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.records import TransactionRecord
from rekt_tui.domain.session import SessionRecord
from rekt_tui.domain.status import KeystoreStatus, ShellStatus
from rekt_tui.keystore import KeystoreError, KeystoreUnavailable
from rekt_tui.registry import Registry

if TYPE_CHECKING:
    from rekt_tui.keystore import Keystore
    from rekt_tui.services.link import LinkPool
    from rekt_tui.services.wallets import WalletService

log = logging.getLogger(__name__)

PassphrasePrompt = Callable[[str], str]


@dataclass
class Services:
    settings: Settings
    registry: Registry
    prompt_passphrase: PassphrasePrompt | None = None
    _keystore: "Keystore | None" = field(default=None, init=False)
    _keystore_error: KeystoreError | None = field(default=None, init=False)
    _links: "LinkPool | None" = field(default=None, init=False)

    @property
    def links(self) -> "LinkPool":
        """The run's open session links, one per session (see `link.open_link`)."""
        if self._links is None:
            from rekt_tui.services.link import LinkPool

            self._links = LinkPool()
        return self._links

    @classmethod
    async def open(cls, settings: Settings, *, prompt_passphrase: PassphrasePrompt | None = None) -> "Services":
        registry = await Registry.open(settings.data_dir)
        return cls(settings, registry, prompt_passphrase)

    async def close(self) -> None:
        await self.registry.close()

    async def keystore(self) -> "Keystore":
        """The keystore the policy allows, opened once; raises its refusal each time it is asked."""
        if self._keystore is None and self._keystore_error is None:
            from rekt_tui.keystore import open_keystore

            try:
                self._keystore = await asyncio.to_thread(
                    open_keystore,
                    choice=self.settings.keystore_backend,
                    cluster=self.settings.cluster,
                    data_dir=self.settings.data_dir,
                    prompt_passphrase=self.prompt_passphrase,
                )
            except KeystoreError as error:
                self._keystore_error = error
        if self._keystore_error is not None:
            raise self._keystore_error
        assert self._keystore is not None
        return self._keystore

    async def wallets(self) -> "WalletService":
        from rekt_tui.services.wallets import WalletService

        return WalletService(self.registry, await self.keystore(), self.settings.cluster)

    async def keystore_status(self) -> KeystoreStatus:
        try:
            return (await self.keystore()).status
        except KeystoreUnavailable as error:
            return error.status or KeystoreStatus(backend="none usable", secure=False, problem=error.message)
        except KeystoreError as error:
            return KeystoreStatus(backend="unavailable", secure=False, problem=error.message)

    async def settle_pending_keys(self) -> None:
        """At launch: finish wallet creations a crash interrupted (needs a writable registry and a keystore)."""
        if self.registry.read_only:
            return
        try:
            wallets = await self.wallets()
        except RektError as error:
            log.warning("pending keys left for later: %s", error.message)
            return
        await wallets.settle_pending_keys()

    async def session_view(self, pubkey: str, limit: int) -> tuple[SessionRecord, list[TransactionRecord]]:
        """A session as the registry has it now (setup fills in its Drift account and referrer
        as they land) and its last `limit` transactions, newest first: the session panel."""
        session = await self.registry.get_session(pubkey)
        if session is None:
            raise RektError(f"No session wallet {pubkey} in the registry.")
        return session, await self.registry.list_transactions(pubkey, limit=limit)

    async def waiting_legs(self, pubkey: str) -> tuple[WaitingLeg, ...]:
        """The legs of the session's brackets that wait for their resting entry's fill: the open orders."""
        legs: tuple[WaitingLeg, ...] = ()
        for bracket in await self.registry.list_pending_brackets(pubkey):
            legs += waiting_legs(
                bracket.entry_user_order_id, bracket.market_index, bracket.entry_direction,
                take_profit=bracket.take_profit, stop_loss=bracket.stop_loss,
            )  # fmt: skip
        return legs

    async def shell_status(self) -> ShellStatus:
        profile = self.settings.profile
        return ShellStatus(
            cluster=self.settings.cluster,
            rpc_url=profile.rpc_url,
            is_mainnet=self.settings.cluster == "mainnet",
            keystore=await self.keystore_status(),
            registry_read_only_reason=self.registry.read_only_reason,
            sessions=tuple(await self.registry.list_sessions(cluster=self.settings.cluster)),
            labels=self.settings.labels,
        )
