"""Carrying out one teardown action on chain: build, send through our sender, wait for the chain.

Each action is one transaction, except closes (one per position, each naming its order
row, sent by the same path as the dashboard's and the CLI's closes) and withdrawals (one
per spot market, so a market refusing withdrawals, paused or held by the withdrawal circuit
breaker, parks only itself). The run continues only once the venue's subscription has caught
up with the slot a transaction landed in: the next plan must read the chain *after* the
action, or it would propose the same action twice. Orders the teardown places carry a
fresh `user_order_id` and are written to the registry before they are signed.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.orders import free_user_order_id
from rekt_tui.domain.records import Direction, MarketType, OrderStatus, OrderType
from rekt_tui.domain.teardown import (
    AwaitFills, CancelOrders, ClosePositions, SettlePnl, SpotTrade, Withdraw, perp_market_names, perp_symbols,
)  # fmt: skip
from rekt_tui.drift.errors import TransactionFailed
from rekt_tui.services.landing import Intent, land
from rekt_tui.services.link import SessionLink
from rekt_tui.services.order_book import adopt_orders
from rekt_tui.services.order_sending import close_position, taken_user_order_ids
from rekt_tui.services.venue import Transaction

MARKET_WITHDRAW_PAUSED = 6149
DAILY_WITHDRAW_LIMIT = 6128  # the withdrawal circuit breaker: the funds stay in the account until it clears
CLOSE_AUCTION_S = 1  # closes are urgent: a short auction within the strategy's slippage
CLOSE_EXPIRY_S = 30  # an unfilled close expires, and the plan then cancels and re-sizes it
FILL_GRACE_S = 10  # the keeper removes an expired close within a few slots of its max_ts
POLL_S = 0.02


@dataclass(frozen=True)
class Refusals:
    """What the exchange refused during a run: the plan routes around it, a later run retries it."""

    paused_markets: frozenset[int] = frozenset()  # spot markets that answered MarketWithdrawPaused
    breaker_markets: frozenset[int] = frozenset()  # spot markets that answered DailyWithdrawLimit
    spot_trade: str | None = None  # the venue's sentence when it cannot build a spot trade
    settle_stuck: frozenset[int] = frozenset()  # perp markets whose settle landed and moved nothing

    def __bool__(self) -> bool:
        return bool(self.paused_markets or self.breaker_markets or self.spot_trade or self.settle_stuck)

    def __or__(self, other: Refusals) -> Refusals:
        return Refusals(self.paused_markets | other.paused_markets, self.breaker_markets | other.breaker_markets,
                        other.spot_trade or self.spot_trade, self.settle_stuck | other.settle_stuck)  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    signature: str | None
    message: str
    refused: Refusals = Refusals()  # non-empty: the step parks


class ActionRunner:
    """Runs teardown actions for one session link; `run_id` tags every intent it sends."""

    def __init__(self, link: SessionLink, run_id: str) -> None:
        self._link = link
        self._venue = link.venue
        self._registry = link.registry
        self._settings = link.settings
        self._run_id = run_id

    @property
    def slippage_bps(self) -> int:
        return self._settings.preset(self._link.session.strategy).slippage_bps

    async def cancel(self, action: CancelOrders) -> Outcome:
        chain = {o.order_id: o for o in self._venue.holdings().orders}
        transaction = self._venue.cancel_orders(list(action.order_ids))
        signature = await self._send("cancel_orders", {"order_ids": list(action.order_ids)}, transaction)
        await self._retire([chain[i].user_order_id for i in action.order_ids if i in chain], OrderStatus.CANCELLED)
        return Outcome(signature, f"Cancelled {len(action.order_ids)} open order(s).")

    async def close(self, action: ClosePositions) -> Outcome:
        """One reduce-only close per position through the one close path, each its own
        transaction naming its order row, so the order book settles the rows after a crash
        as it does any order."""
        held = {p.market_index: p for p in self._venue.holdings().positions}
        taken = await taken_user_order_ids(self._link)
        signature = None
        for close in action.closes:
            position = held.get(close.market_index)
            if position is None:
                continue  # gone since the plan read the chain: the next plan sees it
            _, placed = await close_position(
                self._link, position, slippage_bps=self.slippage_bps, auction_s=CLOSE_AUCTION_S,
                expiry_s=CLOSE_EXPIRY_S, taken=taken, extra={"run_id": self._run_id, "kind": "close_position"},
            )  # fmt: skip
            signature = placed.signature
        await adopt_orders(self._registry, self._link)
        symbols = ", ".join(c.symbol for c in action.closes)
        return Outcome(signature, f"Placed reduce-only market closes for {symbols}.")

    async def await_fills(self, action: AwaitFills) -> Outcome:
        """Wait until the close orders leave the book (filled, or expired by the keeper)."""
        waiting = set(action.order_ids)
        deadline = time.monotonic() + CLOSE_EXPIRY_S + FILL_GRACE_S
        while waiting & {o.order_id for o in self._venue.holdings().orders}:
            if time.monotonic() > deadline:
                raise RektError("The close orders neither filled nor expired in time; run the teardown again.")
            await asyncio.sleep(POLL_S)
        await adopt_orders(self._registry, self._link)
        return Outcome(None, "Every close order has left the book.")

    async def settle(self, action: SettlePnl) -> Outcome:
        """A settle that lands may still move nothing (the market's PnL pool pays profit only as far
        as it holds): such markets are refused for this run, not settled again and again."""
        before = self._venue.holdings().unsettled_pnl
        transaction = self._venue.settle_pnl(list(action.market_indexes))
        signature = await self._send("settle_pnl", {"markets": list(action.market_indexes)}, transaction)
        await self._venue.refresh_account()
        after = self._venue.holdings().unsettled_pnl
        stuck = frozenset(i for i in action.market_indexes if after.get(i, 0) == before.get(i, 0) != 0)
        markets = perp_market_names(perp_symbols(self._venue.markets()), action.market_indexes)
        if stuck:
            return Outcome(signature, f"The settle of {markets} landed and moved no PnL.",
                           Refusals(settle_stuck=stuck))  # fmt: skip
        return Outcome(signature, f"Settled the PnL of {markets}.")

    async def repay(self, action: SpotTrade) -> Outcome:
        """A reduce-only spot trade repaying the borrow; a venue that cannot build one parks the run."""
        if action.direction is not Direction.SHORT:
            venue = self._settings.labels.name
            raise RektError(f"A SOL borrow remains in {venue}; deposit SOL to repay it, then run the teardown again.")
        user_order_id = free_user_order_id(await taken_user_order_ids(self._link))
        try:
            sale = self._venue.sell_spot(
                action.market_index, action.base_amount, user_order_id=user_order_id, min_price=action.limit_price
            )
        except RektError as refused:  # refused while building: nothing was recorded or signed
            return Outcome(None, refused.message, Refusals(spot_trade=refused.message))
        order = await self._registry.add_order(
            self._link.pubkey, user_order_id=user_order_id, market_type=MarketType.SPOT,
            market_index=action.market_index, direction=action.direction, order_type=OrderType.MARKET,
            base_amount=action.base_amount, price=action.limit_price, reduce_only=True,
        )  # fmt: skip
        intent: Intent = {"order": order.id, "repay_borrow": action.base_amount, "min_price": action.limit_price}
        try:
            signature = await self._send("place_order", intent, sale)
        except RektError:
            await self._registry.update_order(order.id, status=OrderStatus.FAILED)
            raise
        await self._registry.update_order(order.id, status=OrderStatus.FILLED, transaction_signature=signature)
        quote = self._settings.labels.quote
        return Outcome(signature, f"Sold SOL for {quote} to repay the {quote} borrow.")

    async def withdraw(self, action: Withdraw) -> Outcome:
        """One reduce-only withdrawal per spot market; a market refusing withdrawals (paused, or
        held by the circuit breaker) is reported, not fatal: its funds stay in the account."""
        signature, moved = None, []
        refusing: dict[int, set[int]] = {MARKET_WITHDRAW_PAUSED: set(), DAILY_WITHDRAW_LIMIT: set()}
        for index, amount in action.amounts:
            try:
                signature = await self._send(
                    "withdraw", {"market": index, "amount": amount}, self._venue.withdraw(index, amount)
                )
            except TransactionFailed as failure:
                if failure.error.code not in refusing:
                    raise
                refusing[failure.error.code].add(index)
                continue
            moved.append(self._venue.spot_symbol(index))
        message = f"Withdrew {', '.join(moved)} to the session wallet." if moved else "Withdrawals are refused for now."
        return Outcome(signature, message, Refusals(
            frozenset(refusing[MARKET_WITHDRAW_PAUSED]), frozenset(refusing[DAILY_WITHDRAW_LIMIT])
        ))  # fmt: skip

    async def _send(self, kind: str, intent: Intent, transaction: Transaction) -> str:
        intent = {"run_id": self._run_id, "kind": kind, **intent}
        return (await land(self._link, kind, intent, transaction)).signature

    async def _retire(self, user_order_ids: list[int], status: OrderStatus) -> None:
        for user_order_id in user_order_ids:
            order = await self._registry.find_live_order(self._link.pubkey, user_order_id)
            if order is not None:
                await self._registry.update_order(order.id, status=status)
