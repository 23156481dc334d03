"""Orders of a started session: plan (parse, auction, preview, guards), place, cancel, close.

Everything that can refuse an order runs before anything is signed: the typed fields
(domain.orders), the trading gate (start confirmed, referrer verified, collateral), and
the risk guards over the venue's preview. An order that passes is written to the
registry as `pending` first, then sent (order_sending.py); the row follows the result,
and a crash in between is resolved by `adopt_orders` from the chain.
"""

import time
from dataclasses import replace
from decimal import Decimal
from functools import partial

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.guards import OrderRefused, check_order, post_only_refusals
from rekt_tui.domain.loss_limit import exit_only_refusals
from rekt_tui.domain.markets import MarketSpec, resolve_market
from rekt_tui.domain.money import QUOTE_PRECISION, format_usd, to_decimal
from rekt_tui.domain.orders import OrderKind, OrderRequest, auction_for, parse_order
from rekt_tui.domain.records import Direction, OrderStatus
from rekt_tui.domain.strategy import StrategyPreset
from rekt_tui.domain.trading import AccountSnapshot, Position
from rekt_tui.drift.sender import Landed
from rekt_tui.services.landing import Lander, land, link_of
from rekt_tui.services.link import SessionLink
from rekt_tui.services.models import OrderForm, OrderPlan, PlacedOrder
from rekt_tui.services.order_sizing import SIZE_REFUSALS, ReferencePrices, Sizing
from rekt_tui.services.order_sending import close_position, close_request, send_order, taken_user_order_ids

# Far beyond any staleness limit; stands in for "never heard from" in the guards' sentences.
NEVER_S = 10**6


class OrderService:
    """Orders of one session over its live link; every method reads the venue's current account."""

    def __init__(self, link: SessionLink | Lander) -> None:
        self._link = link_of(link)
        self._venue = self._link.venue
        self._settings = self._link.settings
        self._registry = self._link.registry

    def markets(self) -> dict[str, MarketSpec]:
        return self._venue.market_specs()

    def strategy(self) -> StrategyPreset:
        return self._settings.preset(self._link.session.strategy)

    async def plan(self, form: OrderForm, *, allow_stacking: bool = False, allow_far_price: bool = False) -> OrderPlan:
        """Check and preview an order; its refusals (if any) carry the numbers."""
        snapshot = self._trading_account()
        request = await self._request(form)
        oracle = self._oracle(request.market)
        auction = self._auction(request.market, request.direction, oracle) if request.kind is OrderKind.MARKET else None
        book = await self._venue.book_side(request.market, request.direction)
        sizing = Sizing(self._venue, request, auction, book)
        age = self._data_age_s()
        check = partial(
            check_order, account=snapshot, strategy=self.strategy(), open_orders=snapshot.orders,
            account_age_s=age, oracle_age_s=age, stale_after_s=self._settings.ui.stale_after_s,
            allow_stacking=allow_stacking or form.allow_stacking, best_opposite=book[0][0] if book else None,
            oracle_price=oracle, price_band_pct=self._settings.guards.price_band_pct,
            allow_far_price=allow_far_price or form.allow_far_price,
        )  # fmt: skip
        preview = sizing.preview(request.base_amount)
        refusals = check(request, preview=preview)
        if any(r.code in SIZE_REFUSALS for r in refusals):
            refusals = check(request, preview=preview, largest_base=sizing.largest(snapshot, self.strategy()))
        ledger = await self._registry.get_loss_ledger(self._link.session.pubkey)  # exit-only after a loss limit
        refusals += exit_only_refusals(request, ledger.breach if ledger is not None else None)
        return OrderPlan(request, auction, preview, tuple(refusals))

    async def largest_size(self, form: OrderForm) -> int:
        """The largest size (base precision) of `form`'s order that passes the margin and
        leverage guards; the form's own size is ignored. 0 when not even the minimum fits."""
        snapshot = self._trading_account()
        spec = resolve_market(form.market, self.markets())
        minimum = f"{to_decimal(spec.min_order_size, spec.base_decimals)}"
        request = await self._request(replace(form, size=minimum))
        oracle = self._oracle(request.market)
        auction = self._auction(request.market, request.direction, oracle) if request.kind is OrderKind.MARKET else None
        book = await self._venue.book_side(request.market, request.direction)
        return Sizing(self._venue, request, auction, book).largest(snapshot, self.strategy())

    async def reference_prices(self, market: str) -> ReferencePrices:
        """Best bid, best ask and oracle of `market` now, for the price keys of order entry."""
        spec = resolve_market(market, self.markets())
        asks = await self._venue.book_side(spec, Direction.LONG)
        bids = await self._venue.book_side(spec, Direction.SHORT)
        return ReferencePrices(spec, bids[0][0] if bids else None, asks[0][0] if asks else None, self._oracle(spec))

    async def _request(self, form: OrderForm) -> OrderRequest:
        markets = self.markets()
        oracle = self._oracle(resolve_market(form.market, markets))
        return parse_order(
            form.market, form.side, form.size, kind=form.kind, price=form.price, trigger=form.trigger,
            reduce_only=form.reduce_only, post_only=form.post_only, expire_s=form.expire_s,
            default_expiry_s=self._settings.default_order_expiry_s, now=int(time.time()), oracle_price=oracle,
            markets=markets, live_user_order_ids=await taken_user_order_ids(self._link),
        )  # fmt: skip

    async def place(
        self, form: OrderForm, *, allow_stacking: bool = False, allow_far_price: bool = False
    ) -> PlacedOrder:
        return await self.submit(await self.plan(form, allow_stacking=allow_stacking, allow_far_price=allow_far_price))

    async def submit(self, plan: OrderPlan) -> PlacedOrder:
        """Place a planned order, at once (a plan shown to someone who took their time
        should be planned again: its guards judged the data of that moment)."""
        if plan.refusals:
            raise OrderRefused(plan.refusals)
        if plan.request.post_only:  # the book moves while a question is read: look again, just before signing
            book = await self._venue.book_side(plan.request.market, plan.request.direction)
            if crossing := post_only_refusals(plan.request, book[0][0] if book else None):
                raise OrderRefused(crossing)
        transaction = self._venue.place_order(plan.request, plan.auction)
        return await send_order(self._link, "place_order", plan.request, transaction)

    async def cancel(self, order_id: int | None = None) -> Landed:
        """Cancel one open order (Drift's order id, as status shows it) or all of them."""
        snapshot = self._account()
        targets = [o for o in snapshot.orders if order_id is None or o.order_id == order_id]
        transaction = self._venue.cancel_orders(None if order_id is None else [order_id])
        intent: dict[str, object] = {"action": "cancel", "orders": [o.order_id for o in targets]}
        landed = await land(self._link, "cancel_order", intent, transaction)
        for order in targets:
            record = await self._registry.find_live_order(self._link.session.pubkey, order.user_order_id)
            if record is not None:
                await self._registry.update_order(
                    record.id, status=OrderStatus.CANCELLED, transaction_signature=landed.signature
                )
        return landed

    async def preview_close(self, market: str, percent: int = 100) -> OrderPlan:
        """What closing `percent` of one market's position would do: the very order `close` sends, previewed."""
        [position] = self._positions(self._account(), market)
        strategy = self.strategy()
        request, auction = close_request(
            self._link, position, slippage_bps=strategy.slippage_bps, auction_s=strategy.auction_duration_s,
            expiry_s=self._settings.default_order_expiry_s, taken=await taken_user_order_ids(self._link),
            percent=percent,
        )  # fmt: skip
        book = await self._venue.book_side(request.market, request.direction)
        preview = self._venue.preview(request, auction_end_price=auction[1], book=book)
        return OrderPlan(request, auction, preview, ())

    async def close(self, market: str | None = None, percent: int = 100) -> list[PlacedOrder]:
        """Close `percent` of one market's position, or of every position, with reduce-only market orders.

        Closes need no start confirmation and pass no risk guards: reduce-only for the
        exact size the chain holds, they can only lower risk, and repeating one is harmless.
        """
        placed = []
        strategy, taken = self.strategy(), await taken_user_order_ids(self._link)
        for position in self._positions(self._account(), market):
            _, order = await close_position(
                self._link, position, slippage_bps=strategy.slippage_bps, auction_s=strategy.auction_duration_s,
                expiry_s=self._settings.default_order_expiry_s, taken=taken, percent=percent,
            )  # fmt: skip
            placed.append(order)
        return placed

    def _positions(self, snapshot: AccountSnapshot, market: str | None) -> list[Position]:
        """The positions `market` names (all of them for None); refuses when there is none."""
        wanted = None if market is None else resolve_market(market, self.markets())
        positions = [p for p in snapshot.positions if wanted is None or p.market_index == wanted.market_index]
        if not positions:
            where = "" if wanted is None else f" in {wanted.symbol}"
            raise RektError(f"There is no open position{where} to close.")
        return positions

    # Reading and gating

    def _account(self) -> AccountSnapshot:
        snapshot = self._venue.snapshot()
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
        venue = self._venue
        limit = self._settings.ui.stale_after_s
        age = min(Decimal(f"{venue.age_s():.3f}"), Decimal(NEVER_S))
        if venue.is_stale(limit) and age <= limit:
            raise RektError(f"The account feed is {venue.feed_state.value}; wait for fresh data before trading.")
        return age

    def _oracle(self, spec: MarketSpec) -> int:
        for state in self._venue.markets():
            if (state.market_type, state.market_index) == (spec.market_type, spec.market_index):
                return state.oracle_price
        raise RektError(f"No oracle price is known for {spec.symbol}; wait for market data.")

    def _auction(self, spec: MarketSpec, direction: Direction, oracle: int) -> tuple[int, int, int]:
        strategy = self.strategy()
        return auction_for(
            direction, oracle, strategy.slippage_bps, strategy.auction_duration_s, tick_size=spec.tick_size
        )
