"""Launch reconciliation: what every unwithdrawn session still holds, read from the chain.

For each session of this cluster that is not `withdrawn`: finish the transactions a
crash left in flight, read the venue account and the wallet, write the figures to the
registry (so its last-known numbers never claim less exposure than the chain shows),
adopt orders found on chain by `user_order_id` (R3), and say what to do next.

A locked or unreadable keystore (K3) must not hide funds: the account is then read by
its authority pubkey alone, nothing is signed, nothing is deleted, and the item says
why the key was not used.
"""

import logging
from datetime import datetime

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.records import TeardownStepStatus, UNRESOLVED_TRANSACTION_STATUSES
from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.domain.teardown import TeardownStep
from rekt_tui.domain.venue import Holdings
from rekt_tui.drift.rpc import JsonRpc
from rekt_tui.keystore import KeystoreError
from rekt_tui.services.container import Services
from rekt_tui.services.history import backfill_link
from rekt_tui.services.landing import record_balances
from rekt_tui.drift.effects import probe_for
from rekt_tui.services.link import SessionLink, connect_venue, link_over, open_link, sender_for
from rekt_tui.services.order_book import adopt_orders
from rekt_tui.services.models import RecoveryItem, SuggestedAction
from rekt_tui.services.teardown import teardown_in_progress
from rekt_tui.services.unresolved import finish_unresolved, reexamine_expired

log = logging.getLogger(__name__)


async def reconcile(services: Services) -> list[RecoveryItem]:
    """One item per session of this cluster that is not withdrawn, oldest first."""
    sessions = [
        s for s in await services.registry.list_sessions(cluster=services.settings.cluster)
        if s.status is not SessionStatus.KEY_PENDING
    ]  # fmt: skip
    return [await reconcile_session(services, session) for session in sessions]


async def reconcile_session(services: Services, session: SessionRecord) -> RecoveryItem:
    registry = services.registry
    writable = not registry.read_only
    profile = services.settings.profile
    rpc = JsonRpc(str(profile.rpc_url))
    try:
        sender = sender_for(rpc, registry, probe_for(rpc, profile.program_id, session.pubkey, profile.venue))
        resumed = await finish_unresolved(sender, registry, session.pubkey) if writable else []
        resumed += await reexamine_expired(sender, registry, session.pubkey) if writable else []
    finally:
        await rpc.close()
    link, key_problem = await _open(services, session)
    try:
        await link.venue.refresh_account()
        holdings = link.venue.holdings()
        lamports = await link.venue.wallet_lamports()
        adopted = 0
        if writable:
            # Adoption needs the session's own key; read by authority alone, orders wait for it.
            adopted = len(await adopt_orders(registry, link)) if link.venue.can_sign else 0
            await record_balances(link)
            await backfill_link(link)
    finally:
        await link.close()
    return RecoveryItem(
        session=session,
        sol_lamports=lamports,
        collateral=holdings.total_collateral,
        open_orders=len(holdings.orders),
        positions=len(holdings.positions),
        unsettled_pnl=sum(holdings.unsettled_pnl.values()),
        borrowed=any(amount < 0 for amount in holdings.spot_balances.values()),
        since=await _since(services, session),
        action=await _suggest(services, session, holdings),
        key_problem=key_problem,
        resumed=tuple(resumed),
        adopted=adopted,
        parked=await _parked(services, session),
    )


async def mark_resolved(services: Services, pubkey: str) -> RecoveryItem:
    """Close the books of a session whose venue account the chain shows empty; refused otherwise."""
    session = await services.registry.get_session(pubkey)
    if session is None or session.cluster != services.settings.cluster:
        raise RektError(f"No session wallet {pubkey} on {services.settings.cluster}.")
    item = await reconcile_session(services, session)
    if item.action is not SuggestedAction.MARK_RESOLVED:
        raise RektError(
            f"The chain does not show this session empty in {services.settings.labels.name}; recover it instead of "
            "marking it resolved."
        )
    steps = await services.registry.latest_teardown_run(pubkey)
    record = await services.registry.add_teardown_step(
        pubkey, run_id=steps[-1].run_id, seq=steps[-1].seq + 1, step=TeardownStep.ARCHIVE.value
    )
    venue = services.settings.labels.name
    await services.registry.update_teardown_step(
        record.id, status=TeardownStepStatus.DONE, message=f"Marked resolved: the chain shows nothing left in {venue}."
    )
    if session.status is SessionStatus.ACTIVE:
        await services.registry.set_session_status(pubkey, SessionStatus.ARCHIVED)
    return await reconcile_session(services, await services.registry.get_session(pubkey) or session)


async def _open(services: Services, session: SessionRecord) -> tuple[SessionLink, str | None]:
    """The session's own link, or a read-only one by authority when its key is out of reach."""
    try:
        return await open_link(services, session.pubkey), None
    except KeystoreError as error:
        venue = await connect_venue(services, session, secret=None)
        return link_over(services, session, venue), error.message


async def _since(services: Services, session: SessionRecord) -> datetime:
    steps = await services.registry.latest_teardown_run(session.pubkey)
    moments = [moment for s in steps if (moment := s.finished_at or s.started_at) is not None]
    return max(moments, default=session.updated_at)


async def _parked(services: Services, session: SessionRecord) -> str | None:
    """The reason the latest stop parked on (the exchange stood in the way), if it ended so."""
    steps = await services.registry.latest_teardown_run(session.pubkey)
    last = steps[-1] if steps else None
    return last.message if last is not None and last.status is TeardownStepStatus.PARKED else None


async def _suggest(services: Services, session: SessionRecord, holdings: Holdings) -> SuggestedAction | None:
    registry = services.registry
    unfinished = await teardown_in_progress(registry, session.pubkey)
    in_flight = any(
        t.status in UNRESOLVED_TRANSACTION_STATUSES for t in await registry.list_transactions(session.pubkey, limit=16)
    )
    if holdings.holds_anything or in_flight:
        if unfinished or session.status is not SessionStatus.ACTIVE:
            return SuggestedAction.RECOVER
        return SuggestedAction.RESUME
    return SuggestedAction.MARK_RESOLVED if unfinished else None
