"""Stop-and-withdraw as a persisted state machine whose steps are chain conditions.

`TeardownService.run` reads the chain, asks `domain.teardown.next_action` for the first
unmet condition, carries it out, waits for the chain to show it, and repeats; every
step is a registry row (pending → running → done / parked / failed) with its
transaction signature. It keeps no memory of its own between steps, so a run after a
crash (or after a park) is simply `run` again: it continues the unfinished run's id,
first finishes the transactions the crash left in flight, then follows the chain.

Trading stays paused from the `pause_trading` step until the run archives the session;
`teardown_in_progress` is how the order service asks.
"""

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.money import format_sol, format_usd
from rekt_tui.domain.pubkey import parse_pubkey
from rekt_tui.domain.records import TeardownStepRecord, TeardownStepStatus, TransactionStatus
from rekt_tui.domain.session import SessionStatus
from rekt_tui.domain.teardown import (
    Action, Archive, AwaitFills, CancelOrders, ClosePositions, Done, Park, PauseTrading, SettlePnl, SpotTrade,
    TeardownState, TeardownStep, Withdraw, next_action, perp_symbols,
)  # fmt: skip
from rekt_tui.domain.venue_labels import VenueLabels
from rekt_tui.drift.errors import TransactionFailed
from rekt_tui.registry import Registry
from rekt_tui.services.container import Services
from rekt_tui.services.landing import now, record_balances_after_landing
from rekt_tui.services.link import SessionLink
from rekt_tui.services.models import TeardownEvent
from rekt_tui.services.order_book import adopt_orders
from rekt_tui.services.teardown_actions import ActionRunner, Outcome, Refusals
from rekt_tui.services.unresolved import finish_unresolved, resolve_before_signing

SOL_SPOT_MARKET_INDEX = 1  # the asset sold to repay a USDC borrow
log = logging.getLogger(__name__)
MAX_ACTIONS = 24  # a teardown takes about eight; more means the chain is not converging
FINALIZE_TIMEOUT_S = 30.0
INTERRUPTED = "Interrupted before it finished; the run continued from what the chain showed."


def _run_finished(steps: list[TeardownStepRecord]) -> bool:
    return any(s.step == TeardownStep.ARCHIVE.value and s.status is TeardownStepStatus.DONE for s in steps)


async def teardown_in_progress(registry: Registry, pubkey: str) -> bool:
    """Whether a teardown has paused the session's trading and not yet archived it."""
    steps = await registry.latest_teardown_run(pubkey)
    paused = any(s.step == TeardownStep.PAUSE_TRADING.value and s.status is TeardownStepStatus.DONE for s in steps)
    return paused and not _run_finished(steps)


class TeardownService:
    """Stop-and-withdraw of one session over its link. `services` is accepted (and unused)
    for callers not yet moved to the one-argument shape: every method takes the link."""

    def __init__(self, services: Services | None = None) -> None:
        del services

    async def run(self, link: SessionLink) -> AsyncIterator[TeardownEvent]:
        """Tear the session down, yielding each step's progress; returns after archiving or parking."""
        self._registry = link.registry
        pubkey = link.session.pubkey
        run_id, seq = await self._continue_or_start(pubkey)
        for resumed in await finish_unresolved(link.sender, self._registry, pubkey):
            yield TeardownEvent(None, TeardownStepStatus.DONE, resumed.signature, resumed.message)
        await link.venue.refresh_account()
        runner = ActionRunner(link, run_id)
        refused = Refusals()
        for _ in range(MAX_ACTIONS):
            action = next_action(await self._state(link, runner, refused))
            if isinstance(action, Done):
                yield TeardownEvent(None, TeardownStepStatus.DONE, None, await self.summary(link))
                return
            record = await self._registry.add_teardown_step(pubkey, run_id=run_id, seq=seq, step=action.step.value)
            seq += 1
            if isinstance(action, Park):
                await self._finish(record, TeardownStepStatus.PARKED, None, action.reason)
                yield TeardownEvent(action.step, TeardownStepStatus.PARKED, None, action.reason)
                return
            await self._registry.update_teardown_step(record.id, status=TeardownStepStatus.RUNNING, started_at=now())
            yield TeardownEvent(action.step, TeardownStepStatus.RUNNING, None, _describe(action, link.settings.labels))
            try:
                outcome = await self._execute(link, runner, action)
            except RektError as error:
                signature = error.signature if isinstance(error, TransactionFailed) else None
                await self._finish(record, TeardownStepStatus.FAILED, signature, error.message)
                yield TeardownEvent(action.step, TeardownStepStatus.FAILED, signature, error.message)
                raise
            refused |= outcome.refused
            status = TeardownStepStatus.PARKED if outcome.refused else TeardownStepStatus.DONE
            await self._finish(record, status, outcome.signature, outcome.message)
            if status is TeardownStepStatus.DONE:
                yield TeardownEvent(action.step, status, outcome.signature, outcome.message)
            if isinstance(action, Archive):
                return
        raise RektError(f"The teardown took more than {MAX_ACTIONS} actions without reaching zero; run it again.")

    async def sweep(self, link: SessionLink, address: str) -> str:
        """Send the archived session wallet's SOL and USDC to `address`; the session becomes `withdrawn`."""
        destination = parse_pubkey(address, "sweep destination address")
        self._registry = link.registry
        session = await self._registry.get_session(link.session.pubkey)
        if session is None or session.status is not SessionStatus.ARCHIVED:
            status = session.status.value if session else "unknown"
            raise RektError(f"Only an archived session can be swept; this one is {status}. Run `rekt-tui stop` first.")
        await link.venue.refresh_account()
        if link.venue.holdings().holds_anything:
            venue = link.settings.labels.name
            raise RektError(f"{venue} still holds funds or orders for this session; run `rekt-tui stop` first.")
        async with self._registry.signing_lock(session.pubkey):
            await resolve_before_signing(link.sender, self._registry, session.pubkey)
            build = link.venue.sweep(destination)
            landed = await link.sender.send(session.pubkey, kind="sweep", intent={"sweep_to": destination}, build=build)
        await self._registry.update_session(session.pubkey, last_sol_lamports=0)
        await self._registry.set_session_status(session.pubkey, SessionStatus.WITHDRAWN)
        return landed.signature

    async def summary(self, link: SessionLink) -> str:
        """"Session wallet 0.1000 SOL • Drift $0.00 • Referrer linked ✓"; after the work is
        done, a failed read says so instead of failing the teardown that succeeded."""
        try:
            lamports = await link.venue.wallet_lamports()
            collateral = link.venue.holdings().total_collateral
            referrer = await link.venue.referrer()
        except Exception:  # noqa: BLE001 - the teardown is done; only its summary is missing
            log.warning("teardown summary not read", exc_info=True)
            return "Done; the balances could not be read just now, `rekt-tui wallet show` shows them later."
        wanted = link.settings.effective_referrer
        paid = link.venue.referral_setup() is None  # the relaunch pays only through the escrow
        linked = "Referrer linked ✓" if referrer is not None and referrer == wanted and paid else "Referrer not linked ✗"
        venue = link.settings.labels.name
        return f"Session wallet {format_sol(lamports)} • {venue} {format_usd(collateral)} • {linked}"

    async def _continue_or_start(self, pubkey: str) -> tuple[str, int]:
        """The unfinished run's id and next seq (its interrupted steps marked), or a new run."""
        steps = await self._registry.latest_teardown_run(pubkey)
        if not steps or _run_finished(steps):
            return uuid.uuid4().hex, 1
        for step in steps:
            if step.status in (TeardownStepStatus.PENDING, TeardownStepStatus.RUNNING):
                await self._finish(step, TeardownStepStatus.FAILED, step.transaction_signature, INTERRUPTED)
        return steps[0].run_id, steps[-1].seq + 1

    async def _state(self, link: SessionLink, runner: ActionRunner, refused: Refusals) -> TeardownState:
        holdings = link.venue.holdings()
        session = await self._registry.get_session(link.session.pubkey)
        archived = session is not None and session.status is not SessionStatus.ACTIVE
        return TeardownState(
            now=int(time.time()),
            trading_paused=archived or await teardown_in_progress(self._registry, link.session.pubkey),
            orders=holdings.orders,
            positions=holdings.positions,
            unsettled_pnl=holdings.unsettled_pnl,
            spot_balances=holdings.spot_balances,
            total_collateral=holdings.total_collateral,
            sol_spot=link.venue.spot_spec(SOL_SPOT_MARKET_INDEX),
            sol_oracle_price=link.venue.spot_oracle_price(SOL_SPOT_MARKET_INDEX),
            slippage_bps=runner.slippage_bps,
            withdraw_paused=refused.paused_markets,
            withdraw_breaker=refused.breaker_markets,
            spot_trade_refused=refused.spot_trade,
            settle_stuck=refused.settle_stuck,
            archived=archived,
            labels=link.settings.labels,
            perp_names=perp_symbols(link.venue.markets()),
        )

    async def _execute(self, link: SessionLink, runner: ActionRunner, action: Action) -> Outcome:
        if isinstance(action, PauseTrading):
            return Outcome(None, "New orders are refused until the teardown ends.")
        if isinstance(action, CancelOrders):
            return await runner.cancel(action)
        if isinstance(action, ClosePositions):
            return await runner.close(action)
        if isinstance(action, AwaitFills):
            return await runner.await_fills(action)
        if isinstance(action, SettlePnl):
            return await runner.settle(action)
        if isinstance(action, SpotTrade):
            return await runner.repay(action)
        if isinstance(action, Withdraw):
            return await runner.withdraw(action)
        assert isinstance(action, Archive)
        return await self._archive(link)

    async def _archive(self, link: SessionLink) -> Outcome:
        """Archive only once the session's landed transactions are finalized, recording what is left."""
        pubkey = link.session.pubkey
        # The plan chose Archive from a chain with no orders; retire any row an earlier,
        # lagging read left live, so the archived session's registry matches the chain.
        await link.venue.refresh_account()
        await adopt_orders(self._registry, link)
        landed = await self._registry.list_transactions(pubkey, statuses=[TransactionStatus.CONFIRMED], limit=8)
        await _finalized(link, [t.signature for t in landed])
        await record_balances_after_landing(link)
        await self._registry.set_session_status(pubkey, SessionStatus.ARCHIVED)
        return Outcome(None, await self.summary(link))

    async def _finish(self, record: TeardownStepRecord, status: TeardownStepStatus, signature: str | None,
                      message: str) -> None:  # fmt: skip
        await self._registry.update_teardown_step(
            record.id, status=status, transaction_signature=signature, message=message, finished_at=now()
        )


async def _finalized(link: SessionLink, signatures: list[str]) -> None:
    deadline = time.monotonic() + FINALIZE_TIMEOUT_S
    while signatures:
        result = await link.rpc.call("getSignatureStatuses", [signatures, {"searchTransactionHistory": True}])
        statuses = result["value"]
        signatures = [s for s, st in zip(signatures, statuses) if not st or st.get("confirmationStatus") != "finalized"]
        if signatures and time.monotonic() > deadline:
            raise RektError("The last transactions are not finalized yet; run the teardown again to archive.")
        if signatures:
            await asyncio.sleep(0.1)


def _describe(action: Action, labels: VenueLabels) -> str:
    return {
        PauseTrading: "Pausing new orders.",
        CancelOrders: "Cancelling open orders.",
        ClosePositions: "Closing positions with reduce-only market orders.",
        AwaitFills: "Waiting for the close orders to fill.",
        SettlePnl: "Settling PnL.",
        SpotTrade: f"Selling SOL to repay the {labels.quote} borrow.",
        Withdraw: "Withdrawing collateral to the session wallet.",
        Archive: "Archiving the session once its transactions are finalized.",
    }[type(action)]
