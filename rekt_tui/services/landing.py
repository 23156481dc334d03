"""Landing a session's transactions, and waiting until the account stream has seen them.

Every action of the session and order services goes through here, so every one is
signed once, persisted before broadcast and driven by our sender (docs/RELIABILITY.md), and
none returns before the gateway's view of the Drift account includes its effect: the
next guard, preview or status then reads what the chain holds, not what it held.
"""

import asyncio
import logging
import time
from datetime import UTC, datetime

from rekt_tui.domain.records import BalanceSnapshot
from rekt_tui.drift.sender import Landed
from rekt_tui.drift.session_reads import balance_snapshot, load_user_stats, user_slot
from rekt_tui.drift.transactions import Instructions, TransactionSigner
from rekt_tui.services.container import Services
from rekt_tui.services.link import SessionLink, open_link

log = logging.getLogger(__name__)

CATCH_UP_TIMEOUT_S = 10.0
POLL_S = 0.02


class Lander:
    """Sends for one session link and keeps its registry figures current."""

    def __init__(self, services: Services, link: SessionLink) -> None:
        self.services = services
        self.link = link
        self.signer = TransactionSigner(link.gateway.drift_client)

    @property
    def pubkey(self) -> str:
        return self.link.session.pubkey

    async def land(self, kind: str, intent: dict, instructions: Instructions) -> Landed:
        """Sign, persist and land one transaction; raises the sender's failures as they are."""
        build = self.signer.builder(instructions)
        landed = await self.link.sender.send(self.pubkey, kind=kind, intent=intent, build=build)
        try:
            await self.caught_up(landed.slot)
        except Exception:  # noqa: BLE001 - it landed: a failed read after it must not say otherwise
            log.warning("%s landed; the account view could not be refreshed after it", landed.signature, exc_info=True)
        return landed

    async def caught_up(self, slot: int) -> None:
        """Wait until the account stream shows the Drift account at `slot` or later; read
        it directly if the notification is late (or the account was just created)."""
        client = self.link.gateway.drift_client
        deadline = time.monotonic() + CATCH_UP_TIMEOUT_S
        while (user_slot(client) or -1) < slot and time.monotonic() < deadline:
            await asyncio.sleep(POLL_S)
        if (user_slot(client) or -1) < slot:
            log.info("account stream behind slot %s; reading the account directly", slot)
            await self.link.gateway.refresh_user()

    async def record_balances(self) -> BalanceSnapshot | None:
        """Write a balance snapshot and the session's last known figures; None without a Drift account."""
        gateway = self.link.gateway
        lamports = await gateway.wallet_lamports()
        snapshot = gateway.snapshot()
        registry = self.services.registry
        if snapshot is None:
            await registry.update_session(self.pubkey, last_sol_lamports=lamports)
            return None
        record = balance_snapshot(gateway.drift_client, self.pubkey, snapshot, lamports)
        await registry.add_balance_snapshot(record)
        await registry.update_session(
            self.pubkey, last_sol_lamports=lamports, last_collateral_quote=snapshot.total_collateral
        )
        return record

    async def record_balances_after_landing(self) -> None:
        """The figures after a landed action are bookkeeping: a failed read (a 429, a full
        disk) is logged, never raised, so it cannot turn the landed action into an error."""
        try:
            await self.record_balances()
        except Exception:  # noqa: BLE001 - any failure here leaves the landed action as it is
            log.warning("balances not recorded after a landed transaction; the next read records them", exc_info=True)

    async def refresh_session(self) -> None:
        """Reload the session row after a registry update, so later checks read it."""
        self.link.session = await self.services.registry.get_session(self.pubkey)


async def open_lander(services: Services, pubkey: str | None = None) -> Lander:
    """A live link to the session (named, or the only active one) ready to sign; close
    it with `lander.link.close()`. UserStats is read once here: previews need its fee tier."""
    link = await open_link(services, pubkey)
    try:
        if link.gateway.snapshot() is not None:
            await load_user_stats(link.gateway.drift_client)
    except BaseException:
        await link.close()
        raise
    return Lander(services, link)


def now() -> datetime:
    return datetime.now(UTC)
