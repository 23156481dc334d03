"""Carrying out one teardown action on chain: build, send through our sender, wait for the chain.

Each action is one transaction, except closes (one per position, each naming its order
row) and withdrawals (one per spot market, so a paused market parks only itself). The
run continues only once the gateway's subscription has caught up with the slot a
transaction landed in: the next plan must read the chain *after* the action, or it
would propose the same action twice. Orders the teardown places carry a
fresh `user_order_id` and are written to the registry before they are signed.
"""

import asyncio
import time
from dataclasses import dataclass

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.orders import auction_for, free_user_order_id
from rekt_tui.domain.records import Direction, MarketType, OrderStatus, OrderType
from rekt_tui.domain.teardown import AwaitFills, CancelOrders, ClosePositions, SettlePnl, SpotTrade, Withdraw
from rekt_tui.drift import actions, order_actions
from rekt_tui.drift.errors import TransactionFailed
from rekt_tui.drift.teardown_reads import perp_tick_size, read_holdings, top_sol_bidders
from rekt_tui.services.container import Services
from rekt_tui.services.landing import Lander
from rekt_tui.services.order_book import adopt_orders
from rekt_tui.services.link import SessionLink

MARKET_WITHDRAW_PAUSED = 6149
CLOSE_AUCTION_S = 1  # closes are urgent: a short auction within the strategy's slippage
CLOSE_EXPIRY_S = 30  # an unfilled close expires, and the plan then cancels and re-sizes it
FILL_GRACE_S = 10  # the keeper removes an expired close within a few slots of its max_ts
POLL_S = 0.02


@dataclass(frozen=True)
class Outcome:
    signature: str | None
    message: str
    paused_markets: frozenset[int] = frozenset()  # spot markets that answered MarketWithdrawPaused


class ActionRunner:
    """Runs teardown actions for one session link; `run_id` tags every intent it sends."""

    def __init__(self, services: Services, link: SessionLink, run_id: str) -> None:
        self._registry = services.registry
        self._settings = services.settings
        self._link = link
        self._run_id = run_id
        self._lander = Lander(services, link)
        self._client = link.gateway.drift_client

    @property
    def slippage_bps(self) -> int:
        return self._settings.preset(self._link.session.strategy).slippage_bps

    async def cancel(self, action: CancelOrders) -> Outcome:
        chain = {o.order_id: o for o in read_holdings(self._link.gateway).orders}
        instructions = [ix for i in action.order_ids for ix in order_actions.cancel_order(self._client, i)]
        signature = await self._send("cancel_orders", {"order_ids": list(action.order_ids)}, instructions)
        await self._retire([chain[i].user_order_id for i in action.order_ids if i in chain], OrderStatus.CANCELLED)
        return Outcome(signature, f"Cancelled {len(action.order_ids)} open order(s).")

    async def close(self, action: ClosePositions) -> Outcome:
        """One reduce-only close per position, each its own transaction naming its order row
        (`intent["order"]`), so the order book settles the rows after a crash as it does any order."""
        oracles = {p.market_index: p.oracle_price for p in read_holdings(self._link.gateway).positions}
        taken = await self._taken_user_order_ids()
        expiry = int(time.time()) + CLOSE_EXPIRY_S
        signature = None
        for close in action.closes:
            user_order_id = free_user_order_id(taken)
            taken.add(user_order_id)
            tick = perp_tick_size(self._link.gateway, close.market_index)
            start, end, slots = auction_for(
                close.direction, oracles[close.market_index], self.slippage_bps, CLOSE_AUCTION_S, tick_size=tick
            )
            record = await self._registry.add_order(
                self._link.session.pubkey, user_order_id=user_order_id, market_type=MarketType.PERP,
                market_index=close.market_index, direction=close.direction, order_type=OrderType.MARKET,
                base_amount=close.base_amount, price=end, reduce_only=True, max_ts=expiry,
            )  # fmt: skip
            build = lambda index=close.market_index, uid=user_order_id, a=start, z=end, n=slots: (  # noqa: E731
                order_actions.close_position(
                    self._client, index, user_order_id=uid, max_ts=expiry, auction_start_price=a,
                    auction_end_price=z, auction_duration=n,
                )
            )  # fmt: skip
            intent = {"order": record.id, "market": close.market_index, "base_amount": close.base_amount}
            try:
                signature = await self._send("close_position", intent, build)
            except RektError:
                await self._registry.update_order(record.id, status=OrderStatus.FAILED)
                raise
        await adopt_orders(self._registry, self._link)
        symbols = ", ".join(c.symbol for c in action.closes)
        return Outcome(signature, f"Placed reduce-only market closes for {symbols}.")

    async def await_fills(self, action: AwaitFills) -> Outcome:
        """Wait until the close orders leave the book (filled, or expired by the keeper)."""
        waiting = set(action.order_ids)
        deadline = time.monotonic() + CLOSE_EXPIRY_S + FILL_GRACE_S
        while waiting & {o.order_id for o in read_holdings(self._link.gateway).orders}:
            if time.monotonic() > deadline:
                raise RektError("The close orders neither filled nor expired in time; run the teardown again.")
            await asyncio.sleep(POLL_S)
        await adopt_orders(self._registry, self._link)
        return Outcome(None, "Every close order has left the book.")

    async def settle(self, action: SettlePnl) -> Outcome:
        instructions = [ix for index in action.market_indexes for ix in actions.settle_pnl(self._client, index)]
        signature = await self._send("settle_pnl", {"markets": list(action.market_indexes)}, instructions)
        return Outcome(signature, f"Settled PnL of perp market(s) {', '.join(map(str, action.market_indexes))}.")

    async def repay(self, action: SpotTrade) -> Outcome:
        if action.direction is not Direction.SHORT:
            raise RektError("A SOL borrow remains in Drift; deposit SOL to repay it, then run the teardown again.")
        user_order_id = free_user_order_id(await self._taken_user_order_ids())
        makers = await top_sol_bidders(self._settings.profile.dlob_url)
        order = await self._registry.add_order(
            self._link.session.pubkey, user_order_id=user_order_id, market_type=MarketType.SPOT,
            market_index=action.market_index, direction=action.direction, order_type=OrderType.MARKET,
            base_amount=action.base_amount, price=action.limit_price, reduce_only=True,
        )  # fmt: skip
        sale = lambda: order_actions.sell_sol_for_usdc(  # noqa: E731 - rebuilt from fresh state on expiry
            self._client, action.base_amount, user_order_id=user_order_id, min_price=action.limit_price, makers=makers
        )
        intent = {"order": order.id, "repay_borrow": action.base_amount, "min_price": action.limit_price}
        try:
            signature = await self._send("place_order", intent, sale)
        except RektError:
            await self._registry.update_order(order.id, status=OrderStatus.FAILED)
            raise
        await self._registry.update_order(order.id, status=OrderStatus.FILLED, transaction_signature=signature)
        return Outcome(signature, "Sold SOL for USDC to repay the USDC borrow.")

    async def withdraw(self, action: Withdraw) -> Outcome:
        """One reduce-only withdrawal per spot market; a paused market is reported, not fatal."""
        signature, paused, moved = None, set(), []
        for index, amount in action.amounts:
            build = lambda i=index, a=amount: actions.withdraw(self._client, i, a, reduce_only=True)  # noqa: E731
            try:
                signature = await self._send("withdraw", {"market": index, "amount": amount}, build)
            except TransactionFailed as failure:
                if failure.error.code != MARKET_WITHDRAW_PAUSED:
                    raise
                paused.add(index)
                continue
            moved.append(actions.spot_symbol(self._client, index))
        message = f"Withdrew {', '.join(moved)} to the session wallet." if moved else "Withdrawals are paused."
        return Outcome(signature, message, frozenset(paused))

    async def _send(self, kind: str, intent: dict, instructions) -> str:
        intent = {"run_id": self._run_id, "kind": kind, **intent}
        return (await self._lander.land(kind, intent, instructions)).signature

    async def _taken_user_order_ids(self) -> set[int]:
        """Ids held by live orders on chain or in the registry (a pending row may still land)."""
        taken = {o.user_order_id for o in read_holdings(self._link.gateway).orders}
        return taken | {o.user_order_id for o in await self._registry.list_open_orders(self._link.session.pubkey)}

    async def _retire(self, user_order_ids: list[int], status: OrderStatus) -> None:
        for user_order_id in user_order_ids:
            order = await self._registry.find_live_order(self._link.session.pubkey, user_order_id)
            if order is not None:
                await self._registry.update_order(order.id, status=status)
