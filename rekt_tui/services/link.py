"""A session's live link to the chain: its key, the Drift gateway and the transaction sender.

Every use case that reads or moves a session's money opens one link and closes it when
done. The link is the only place the keystore's key meets the network, and on localnet
it makes sure the embedded cluster is running first.
"""

import asyncio
from dataclasses import dataclass

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.drift.client import Endpoint
from rekt_tui.drift.gateway import DriftGateway
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.drift.sender import TransactionSender
from rekt_tui.keystore import Keypair
from rekt_tui.services.container import Services
from rekt_tui.services.localnet import ensure_localnet


@dataclass
class SessionLink:
    session: SessionRecord
    keypair: Keypair
    gateway: DriftGateway
    sender: TransactionSender
    rpc: JsonRpc

    async def close(self) -> None:
        await self.gateway.close()
        await self.rpc.close()


def endpoint_for(services: Services) -> Endpoint:
    profile = services.settings.profile
    return Endpoint(services.settings.cluster, profile.rpc_url, profile.program_id, profile.lookup_tables)


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


async def open_link(services: Services, pubkey: str | None = None) -> SessionLink:
    session = await pick_session(services, pubkey)
    keystore = await services.keystore()
    if not keystore.usable_on(session.cluster):
        raise RektError(f"{keystore.status.backend} cannot hold keys for {session.cluster}.")
    keypair = await asyncio.to_thread(keystore.load, session.pubkey)
    settings = services.settings
    if settings.cluster == "localnet":
        await ensure_localnet(settings)
    gateway = DriftGateway(
        endpoint_for(services), keypair, ws_url=settings.profile.ws_url, stale_after_s=settings.ui.stale_after_s
    )
    await gateway.connect()
    rpc = JsonRpc(settings.profile.rpc_url)
    return SessionLink(session, keypair, gateway, TransactionSender(rpc, services.registry), rpc)
