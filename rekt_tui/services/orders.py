"""Orders of a started session: plan (parse, auction, preview, guards), place, cancel, close.

Everything that can refuse an order runs before anything is signed: the typed fields
(domain.orders), the trading gate (start confirmed, referrer verified, collateral), and
the risk guards over a preview from driftpy's math. An order that passes is written to
the registry as `pending` first, then sent; the row follows the result, and a crash in
between is resolved by `adopt_orders` from the chain (R3).
"""

import asyncio
import logging
import time
from decimal import Decimal

import aiohttp

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.guards import OrderRefused, check_order
from rekt_tui.domain.markets import MarketSpec, resolve_market
from rekt_tui.domain.money import QUOTE_PRECISION, format_usd
from rekt_tui.domain.orders import OrderKind, OrderRequest, auction_for, free_user_order_id, parse_order
from rekt_tui.domain.records import Direction, OrderStatus
from rekt_tui.domain.strategy import StrategyPreset
from rekt_tui.domain.trading import AccountSnapshot, Position
from rekt_tui.drift import order_actions
from rekt_tui.drift.dlob import fetch_l2
from rekt_tui.drift.errors import TransactionExpired, TransactionFailed
from rekt_tui.drift.preview import preview_order
from rekt_tui.drift.sender import Landed
from rekt_tui.drift.session_reads import perp_market_specs
from rekt_tui.services.landing import Lander
from rekt_tui.services.models import OrderForm, OrderPlan, PlacedOrder
from rekt_tui.services.order_book import settle_row

log = logging.getLogger(__name__)

BOOK_TIMEOUT_S = 5.0
# Far beyond any staleness limit; stands in for "never heard from" in the guards' sentences.
NEVER_S = 10**6


class OrderService:
    """Orders of one session over its live `Lander`; every method reads the gateway's current account."""

    def __init__(self, lander: Lander) -> None:
        self._lander = lander
        self._link = lander.link
        self._settings = lander.services.settings
        self._registry = lander.services.registry

    @property
    def _client(self):
        return self._link.gateway.drift_client

    def markets(self) -> dict[str, MarketSpec]:
        return perp_market_specs(self._client)

    def strategy(self) -> StrategyPreset:
        return self._settings.preset(self._link.session.strategy)

    async def plan(self, form: OrderForm, *, allow_stacking: bool = False, allow_far_price: bool = False) -> OrderPlan:
        """Check and preview an order; its refusals (if any) carry the numbers."""
        snapshot = self._trading_account()
        markets = self.markets()
        oracle = self._oracle(resolve_market(form.market, markets))
        request = parse_order(
            form.market, form.side, form.size, kind=form.kind, price=form.price, trigger=form.trigger,
            reduce_only=form.reduce_only, post_only=form.post_only, expire_s=form.expire_s,
            default_expiry_s=self._settings.default_order_expiry_s, now=int(time.time()), oracle_price=oracle,
            markets=markets, live_user_order_ids=await self._live_user_order_ids(snapshot),
        )  # fmt: skip
        auction = self._auction(request.market, request.direction, oracle) if request.kind is OrderKind.MARKET else None
        book = () if request.post_only else await self._book_side(request.market, request.direction)
        preview = preview_order(self._client, request, auction_end_price=auction[1] if auction else None, book=book)
        age = self._data_age_s()
        refusals = check_order(
            request, snapshot, preview, self.strategy(), open_orders=snapshot.orders, account_age_s=age,
            oracle_age_s=age, stale_after_s=self._settings.ui.stale_after_s, allow_stacking=allow_stacking,
            oracle_price=oracle, price_band_pct=self._settings.guards.price_band_pct, allow_far_price=allow_far_price,
        )  # fmt: skip
        return OrderPlan(request, auction, preview, tuple(refusals))

    async def place(
        self, form: OrderForm, *, allow_stacking: bool = False, allow_far_price: bool = False
    ) -> PlacedOrder:
        return await self.submit(await self.plan(form, allow_stacking=allow_stacking, allow_far_price=allow_far_price))

    async def submit(self, plan: OrderPlan) -> PlacedOrder:
        """Place a planned order, at once (a plan shown to someone who took their time
        should be planned again: its guards judged the data of that moment)."""
        if plan.refusals:
            raise OrderRefused(plan.refusals)
        instructions = order_actions.place_order(self._client, plan.request, auction=plan.auction)
        return await self._record_and_send("place_order", plan.request, instructions)

    async def cancel(self, order_id: int | None = None) -> Landed:
        """Cancel one open order (Drift's order id, as status shows it) or all of them."""
        snapshot = self._account()
        targets = [o for o in snapshot.orders if order_id is None or o.order_id == order_id]
        if order_id is None:
            instructions = order_actions.cancel_all_orders(self._client)
        else:
            instructions = order_actions.cancel_order(self._client, order_id)
        intent = {"action": "cancel", "orders": [o.order_id for o in targets]}
        landed = await self._lander.land("cancel_order", intent, instructions)
        for order in targets:
            record = await self._registry.find_live_order(self._link.session.pubkey, order.user_order_id)
            if record is not None:
                await self._registry.update_order(
                    record.id, status=OrderStatus.CANCELLED, transaction_signature=landed.signature
                )
        return landed

    async def preview_close(self, market: str) -> OrderPlan:
        """What closing one market's position would do: the very order `close` sends, previewed."""
        snapshot = self._account()
        [position] = self._positions(snapshot, market)
        request, auction = await self._close_request(position, snapshot)
        book = await self._book_side(request.market, request.direction)
        preview = preview_order(self._client, request, auction_end_price=auction[1], book=book)
        return OrderPlan(request, auction, preview, ())

    async def close(self, market: str | None = None) -> list[PlacedOrder]:
        """Close one market's position, or every position, with reduce-only market orders.

        Closes need no start confirmation and pass no risk guards: reduce-only for the
        exact size the chain holds, they can only lower risk, and repeating one is harmless.
        """
        snapshot = self._account()
        placed = []
        for position in self._positions(snapshot, market):
            request, (start, end, slots) = await self._close_request(position, snapshot)
            instructions = order_actions.close_position(
                self._client, request.market.market_index, user_order_id=request.user_order_id,
                max_ts=request.max_ts, auction_start_price=start, auction_end_price=end, auction_duration=slots,
            )  # fmt: skip
            placed.append(await self._record_and_send("close_position", request, instructions))
            snapshot = self._account()
        return placed

    def _positions(self, snapshot: AccountSnapshot, market: str | None) -> list[Position]:
        """The positions `market` names (all of them for None); refuses when there is none."""
        wanted = None if market is None else resolve_market(market, self.markets())
        positions = [p for p in snapshot.positions if wanted is None or p.market_index == wanted.market_index]
        if not positions:
            where = "" if wanted is None else f" in {wanted.symbol}"
            raise RektError(f"There is no open position{where} to close.")
        return positions

    async def _close_request(
        self, position: Position, snapshot: AccountSnapshot
    ) -> tuple[OrderRequest, tuple[int, int, int]]:
        """The reduce-only market order that takes `position` to zero, and its auction."""
        spec = next(s for s in self.markets().values() if s.market_index == position.market_index)
        direction = Direction.SHORT if position.base_amount > 0 else Direction.LONG
        request = OrderRequest(
            spec, direction, OrderKind.MARKET, position.size, price=None, trigger_price=None,
            trigger_condition=None, reduce_only=True, post_only=False,
            max_ts=int(time.time()) + self._settings.default_order_expiry_s,
            user_order_id=free_user_order_id(await self._live_user_order_ids(snapshot)),
        )  # fmt: skip
        return request, self._auction(spec, direction, self._oracle(spec))

    async def _record_and_send(self, kind: str, request: OrderRequest, instructions) -> PlacedOrder:
        """Write the row, send, and let the result decide the row."""
        pubkey = self._link.session.pubkey
        record = await self._registry.add_order(
            pubkey, user_order_id=request.user_order_id, market_type=request.market.market_type,
            market_index=request.market.market_index, direction=request.direction, order_type=request.order_type,
            base_amount=request.base_amount, price=request.price, trigger_price=request.trigger_price,
            reduce_only=request.reduce_only, post_only=request.post_only, max_ts=request.max_ts,
        )  # fmt: skip
        intent = {
            "order": record.id, "user_order_id": request.user_order_id, "market": request.market.symbol,
            "direction": request.direction.value, "order_type": request.order_type.value,
            "base_amount": request.base_amount, "reduce_only": request.reduce_only,
        }  # fmt: skip
        try:
            landed = await self._lander.land(kind, intent, instructions)
        except TransactionFailed as error:
            await self._registry.update_order(
                record.id, status=OrderStatus.FAILED, transaction_signature=error.signature
            )
            raise
        except TransactionExpired:
            await self._registry.update_order(record.id, status=OrderStatus.FAILED)
            raise
        record = await settle_row(self._registry, record, self._account().orders, landed.signature)
        await self._lander.record_balances_after_landing()
        return PlacedOrder(record, landed.signature)

    # Reading and gating

    def _account(self) -> AccountSnapshot:
        snapshot = self._link.gateway.snapshot()
        if snapshot is None:
            raise RektError("This session has no Drift account yet; run `rekt-tui init` first.")
        return snapshot

    def _trading_account(self) -> AccountSnapshot:
        """The account, if this session may open risk: start confirmed, referrer
        verified (when one is configured) and enough collateral inside Drift."""
        session = self._link.session
        snapshot = self._account()
        if self._settings.effective_referrer is not None and session.referrer_verified_at is None:
            raise RektError("The referrer is not verified for this session; run `rekt-tui init` to verify it.")
        if session.trading_started_at is None:
            raise RektError(
                "Trading has not been started for this session; finish the checklist and run `rekt-tui start`."
            )
        minimum = int(self._settings.min_trading_collateral_usd * QUOTE_PRECISION)
        if snapshot.total_collateral < minimum:
            raise RektError(
                f"Drift holds {format_usd(snapshot.total_collateral)} of collateral, below the {format_usd(minimum)} "
                "trading minimum; deposit more."
            )
        return snapshot

    def _data_age_s(self) -> Decimal:
        """Seconds since the account socket last proved current. Oracles and the account
        arrive on that one socket, so its age bounds both. A feed that is reconnecting
        is refused outright: its age says nothing about the data it will bring."""
        gateway = self._link.gateway
        limit = self._settings.ui.stale_after_s
        age = min(Decimal(f"{gateway.age_s():.3f}"), Decimal(NEVER_S))
        if gateway.is_stale(limit) and age <= limit:
            raise RektError(f"The account feed is {gateway.feed_state.value}; wait for fresh data before trading.")
        return age

    def _oracle(self, spec: MarketSpec) -> int:
        for state in self._link.gateway.markets():
            if (state.market_type, state.market_index) == (spec.market_type, spec.market_index):
                return state.oracle_price
        raise RektError(f"No oracle price is known for {spec.symbol}; wait for market data.")

    def _auction(self, spec: MarketSpec, direction: Direction, oracle: int) -> tuple[int, int, int]:
        strategy = self.strategy()
        return auction_for(
            direction, oracle, strategy.slippage_bps, strategy.auction_duration_s, tick_size=spec.tick_size
        )

    async def _live_user_order_ids(self, snapshot: AccountSnapshot) -> set[int]:
        rows = await self._registry.list_open_orders(self._link.session.pubkey)
        return {o.user_order_id for o in snapshot.orders} | {r.user_order_id for r in rows}

    async def _book_side(self, spec: MarketSpec, direction: Direction) -> tuple[tuple[int, int], ...]:
        """The levels the order would take (asks for a buy); none when the DLOB server
        does not answer, and the preview then assumes the worst price for all of it."""
        try:
            timeout = aiohttp.ClientTimeout(total=BOOK_TIMEOUT_S)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                book = await fetch_l2(session, self._settings.profile.dlob_url, spec.symbol)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError) as error:
            log.warning("no order book for %s (%s); previewing at the worst price", spec.symbol, error)
            return ()
        levels = book.asks if direction is Direction.LONG else book.bids
        return tuple((level.price, level.size) for level in levels)
