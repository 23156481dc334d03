"""A session's live link: its one venue connection, our sender, the registry and the settings.

Every use case of a session takes this one object. It is opened once per session and
shared by everything that session does (the live feed, the guards, the previews, the
actions), so a session holds one account socket and one order-book socket. The link is
the only place the keystore's key meets the network, and on localnet it makes sure the
embedded cluster is running first.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import cast

from rekt_tui.config import Settings
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.drift.effects import EffectProbe, probe_for
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.drift.sender import Journal, TransactionSender
from rekt_tui.registry import Registry
from rekt_tui.services.container import Services
from rekt_tui.services.localnet import ensure_localnet
from rekt_tui.services.venue import Venue
from rekt_tui.services.venue_factory import check_compatibility, open_venue


@dataclass
class SessionLink:
    session: SessionRecord
    venue: Venue
    sender: TransactionSender
    rpc: JsonRpc
    registry: Registry
    settings: Settings
    # Set by the pool for a shared link: True when the caller closing it was the last one.
    release: Callable[[], bool] | None = field(default=None, repr=False)

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
        """Let go of the link; the connection closes when its last user lets go."""
        if self.release is not None and not self.release():
            return
        try:
            await self.venue.close()
        finally:
            await self.rpc.close()


class LinkPool:
    """The open links of one run, one per session, shared by everything that asks for it
    (the live feed, the guards and previews, the actions, the teardown): one account
    socket and one book socket per session, however many parts of the app follow it."""

    def __init__(self) -> None:
        self._links: dict[str, asyncio.Task[SessionLink]] = {}
        self._users: dict[str, int] = {}

    async def acquire(self, pubkey: str, connect: Callable[[], Awaitable[SessionLink]]) -> SessionLink:
        """The session's open link, opened by `connect` if nobody holds it; callers `close()` it when done."""
        task = self._links.get(pubkey)
        if task is None:
            task = self._links[pubkey] = asyncio.ensure_future(connect())
        try:
            link = await asyncio.shield(task)
        except BaseException:
            if task.done() and (task.cancelled() or task.exception() is not None):
                self._links.pop(pubkey, None)  # a failed open is not kept: the next caller tries again
            raise
        self._users[pubkey] = self._users.get(pubkey, 0) + 1
        link.release = lambda: self._release(pubkey)
        return link

    def _release(self, pubkey: str) -> bool:
        users = self._users.get(pubkey, 0) - 1
        if users > 0:
            self._users[pubkey] = users
            return False
        self._users.pop(pubkey, None)
        self._links.pop(pubkey, None)
        return True


async def pick_session(services: Services, pubkey: str | None, *, or_newest: bool = False) -> SessionRecord:
    """The session named, or the only active one on this cluster (with `or_newest`, else the one
    created last: a read such as `report` right after a stop); otherwise one sentence saying which to name."""
    cluster = services.settings.cluster
    if pubkey is not None:
        session = await services.registry.get_session(pubkey)
        if session is None or session.cluster != cluster:
            raise RektError(f"No session wallet {pubkey} on {cluster}; `rekt-tui wallet list` shows them.")
        return session
    sessions = await services.registry.list_sessions(cluster=cluster)
    active = [s for s in sessions if s.status is SessionStatus.ACTIVE]
    if len(active) == 1:
        return active[0]
    if not active and or_newest and sessions:
        return max(sessions, key=lambda s: s.created_at)
    if not active:
        raise RektError(f"No active session wallet on {cluster}; create one with `rekt-tui wallet new`.")
    raise RektError(f"{len(active)} active session wallets on {cluster}; choose one with --session PUBKEY.")


async def connect_venue(services: Services, session: SessionRecord, *, secret: bytes | None) -> Venue:
    """The session's venue connection (read-only without `secret`), the localnet started if needed."""
    if services.settings.cluster == "localnet":
        await ensure_localnet(services.settings)
    return await open_venue(services.settings, secret=secret, authority=session.pubkey)


async def open_link(services: Services, pubkey: str | None = None) -> SessionLink:
    """The session's one live link, able to sign, shared with every other user of the session
    in this run; close it with `link.close()` when done."""
    session = await pick_session(services, pubkey)
    return await services.links.acquire(session.pubkey, lambda: _connect(services, session))


async def _connect(services: Services, session: SessionRecord) -> SessionLink:
    keystore = await services.keystore()
    if not keystore.usable_on(session.cluster):
        raise RektError(f"{keystore.status.backend} cannot hold keys for {session.cluster}.")
    keypair = await asyncio.to_thread(keystore.load, session.pubkey)
    if services.settings.cluster == "localnet":
        await ensure_localnet(services.settings)
    # Once per link: a program that is not what the adapter encodes for is never signed for.
    # Checked while the venue connects: each is a few round trips, which a rate-limited RPC
    # makes seconds each.
    opening = asyncio.ensure_future(open_venue(services.settings, secret=bytes(keypair), authority=session.pubkey))
    try:
        compatibility = await check_compatibility(services.settings, session.pubkey)
    except BaseException:
        opening.cancel()
        with contextlib.suppress(BaseException):
            await (await opening).close()
        raise
    venue = await opening
    link = link_over(services, session, venue)
    link.sender.refusal = compatibility.refusal()
    if compatibility.paused:  # a pause can end: ask again before signing, not only at the next launch

        async def recheck() -> str | None:
            return (await check_compatibility(services.settings, session.pubkey)).refusal()

        link.sender.recheck = recheck
    link.sender.program_error = venue.program_error
    return link


def link_over(services: Services, session: SessionRecord, venue: Venue) -> SessionLink:
    """A link around an open venue connection: our sender on the profile's RPC."""
    profile = services.settings.profile
    rpc = JsonRpc(str(profile.rpc_url))
    sender = sender_for(rpc, services.registry, probe_for(rpc, profile.program_id, session.pubkey, profile.venue))
    return SessionLink(session, venue, sender, rpc, services.registry, services.settings)


def sender_for(rpc: JsonRpc, registry: Registry, probe: EffectProbe | None = None) -> TransactionSender:
    """Our sender, journaling into the registry. The cast: `Journal.update_transaction` takes
    `**changes: Any`, which mypy will not match with the registry's named keywords."""
    return TransactionSender(rpc, cast(Journal, registry), probe=probe)
