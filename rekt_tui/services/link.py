"""A session's live link: its one venue connection, our sender, the registry and the settings.

Every use case of a session takes this one object. It is opened once per session and
shared by everything that session does (the live feed, the guards, the previews, the
actions), so a session holds one account socket and one order-book socket. The link is
the only place the keystore's key meets the network, and on localnet it makes sure the
embedded cluster is running first.
"""

import asyncio
from dataclasses import dataclass
from typing import cast

from rekt_tui.config import Settings
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.drift.sender import Journal, TransactionSender
from rekt_tui.registry import Registry
from rekt_tui.services.container import Services
from rekt_tui.services.localnet import ensure_localnet
from rekt_tui.services.venue import Venue
from rekt_tui.services.venue_factory import open_venue


@dataclass
class SessionLink:
    session: SessionRecord
    venue: Venue
    sender: TransactionSender
    rpc: JsonRpc
    registry: Registry
    settings: Settings

    @property
    def pubkey(self) -> str:
        return self.session.pubkey

    @property
    def gateway(self) -> Venue:
        """The venue under its former name, for callers not yet moved to `venue`."""
        return self.venue

    async def refresh_session(self) -> SessionRecord:
        """Reload the session row after a registry update, so later checks read it."""
        session = await self.registry.get_session(self.pubkey)
        if session is None:
            raise RektError(f"No session wallet {self.pubkey} in the registry.")
        self.session = session
        return session

    async def close(self) -> None:
        try:
            await self.venue.close()
        finally:
            await self.rpc.close()


async def pick_session(services: Services, pubkey: str | None) -> SessionRecord:
    """The session named, or the only active one on this cluster; otherwise one sentence saying which to name."""
    cluster = services.settings.cluster
    if pubkey is not None:
        session = await services.registry.get_session(pubkey)
        if session is None or session.cluster != cluster:
            raise RektError(f"No session wallet {pubkey} on {cluster}; `rekt-tui wallet list` shows them.")
        return session
    active = [s for s in await services.registry.list_sessions(cluster=cluster) if s.status is SessionStatus.ACTIVE]
    if len(active) == 1:
        return active[0]
    if not active:
        raise RektError(f"No active session wallet on {cluster}; create one with `rekt-tui wallet new`.")
    raise RektError(f"{len(active)} active session wallets on {cluster}; choose one with --session PUBKEY.")


async def connect_venue(services: Services, session: SessionRecord, *, secret: bytes | None) -> Venue:
    """The session's venue connection (read-only without `secret`), the localnet started if needed."""
    if services.settings.cluster == "localnet":
        await ensure_localnet(services.settings)
    return await open_venue(services.settings, secret=secret, authority=session.pubkey)


async def open_link(services: Services, pubkey: str | None = None) -> SessionLink:
    """The session's one live link, able to sign; close it with `link.close()`."""
    session = await pick_session(services, pubkey)
    keystore = await services.keystore()
    if not keystore.usable_on(session.cluster):
        raise RektError(f"{keystore.status.backend} cannot hold keys for {session.cluster}.")
    keypair = await asyncio.to_thread(keystore.load, session.pubkey)
    venue = await connect_venue(services, session, secret=bytes(keypair))
    return link_over(services, session, venue)


def link_over(services: Services, session: SessionRecord, venue: Venue) -> SessionLink:
    """A link around an open venue connection: our sender on the profile's RPC."""
    rpc = JsonRpc(str(services.settings.profile.rpc_url))
    return SessionLink(session, venue, sender_for(rpc, services.registry), rpc, services.registry, services.settings)


def sender_for(rpc: JsonRpc, registry: Registry) -> TransactionSender:
    """Our sender, journaling into the registry. The cast: `Journal.update_transaction` takes
    `**changes: Any`, which mypy will not match with the registry's named keywords."""
    return TransactionSender(rpc, cast(Journal, registry))
