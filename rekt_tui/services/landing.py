"""Landing a session's transactions, and waiting until the account stream has seen them.

Every action of the session, order and teardown services goes through `land`, so every
one is signed once, persisted before broadcast and driven by our sender
(docs/RELIABILITY.md), and none returns before the venue's view of the account includes
its effect: the next guard, preview or status then reads what the chain holds, not what
it held. `record_balances` is the one place balance snapshots are written.
"""

import asyncio
import logging
import time
from datetime import UTC, datetime

from rekt_tui.domain.records import BalanceSnapshot
from rekt_tui.drift.sender import Landed
from rekt_tui.services.container import Services
from rekt_tui.services.link import SessionLink, open_link
from rekt_tui.services.unresolved import resolve_before_signing
from rekt_tui.services.venue import Transaction

log = logging.getLogger(__name__)

CATCH_UP_TIMEOUT_S = 10.0
POLL_S = 0.02
# What a transaction is for, stored with it (JSON): the registry row it names, the amounts.
Intent = dict[str, object]


async def land(link: SessionLink, kind: str, intent: Intent, transaction: Transaction) -> Landed:
    """Sign, persist and land one transaction; raises the sender's failures as they are.

    The session's signing lock covers resolving what an earlier run left unresolved and the
    send itself, so no other process signs for this session in between."""
    async with link.registry.signing_lock(link.pubkey):
        await resolve_before_signing(link.sender, link.registry, link.pubkey)
        landed = await link.sender.send(link.pubkey, kind=kind, intent=intent, build=transaction)
    try:
        await caught_up(link, landed.slot)
    except Exception:  # noqa: BLE001 - it landed: a failed read after it must not say otherwise
        log.warning("%s landed; the account view could not be refreshed after it", landed.signature, exc_info=True)
    return landed


async def caught_up(link: SessionLink, slot: int) -> None:
    """Wait until the account stream shows the account at `slot` or later; read it
    directly if the notification is late (or the account was just created)."""
    venue = link.venue
    deadline = time.monotonic() + CATCH_UP_TIMEOUT_S
    while (venue.account_slot() or -1) < slot and time.monotonic() < deadline:
        await asyncio.sleep(POLL_S)
    if (venue.account_slot() or -1) < slot:
        log.info("account stream behind slot %s; reading the account directly", slot)
        await venue.refresh_account()


async def record_balances(link: SessionLink) -> BalanceSnapshot | None:
    """Write a balance snapshot and the session's last known figures; None without a venue account."""
    lamports = await link.venue.wallet_lamports()
    record = link.venue.balance_record(link.pubkey, lamports)
    if record is None:
        await link.registry.update_session(link.pubkey, last_sol_lamports=lamports)
        return None
    await link.registry.add_balance_snapshot(record)
    await link.registry.update_session(
        link.pubkey, last_sol_lamports=lamports, last_collateral_quote=record.total_collateral_quote
    )
    return record


async def record_balances_after_landing(link: SessionLink) -> None:
    """The figures after a landed action are bookkeeping: a failed read (a 429, a full
    disk) is logged, never raised, so it cannot turn the landed action into an error."""
    try:
        await record_balances(link)
    except Exception:  # noqa: BLE001 - any failure here leaves the landed action as it is
        log.warning("balances not recorded after a landed transaction; the next read records them", exc_info=True)


class Lander:
    """The session link under the name the UI and the CLI still use; its helpers are the functions above."""

    def __init__(self, link: SessionLink) -> None:
        self.link = link

    @property
    def pubkey(self) -> str:
        return self.link.pubkey

    async def land(self, kind: str, intent: Intent, transaction: Transaction) -> Landed:
        return await land(self.link, kind, intent, transaction)

    async def record_balances(self) -> BalanceSnapshot | None:
        return await record_balances(self.link)

    async def record_balances_after_landing(self) -> None:
        await record_balances_after_landing(self.link)

    async def refresh_session(self) -> None:
        await self.link.refresh_session()


async def open_session(services: Services, pubkey: str | None = None) -> SessionLink:
    """The session's one live link, ready to sign (named, or the only active one); close it
    with `link.close()`. The fee tier is read once here: previews need it."""
    link = await open_link(services, pubkey)
    try:
        if link.venue.snapshot() is not None:
            await link.venue.load_fee_tier()
    except BaseException:
        await link.close()
        raise
    return link


async def open_lander(services: Services, pubkey: str | None = None) -> Lander:
    """`open_session` wrapped as a `Lander`, for callers not yet moved to the link."""
    return Lander(await open_session(services, pubkey))


def now() -> datetime:
    return datetime.now(UTC)


def link_of(source: "SessionLink | Lander") -> SessionLink:
    """Use cases take the link; a `Lander` (the former shape) is unwrapped."""
    return source.link if isinstance(source, Lander) else source
