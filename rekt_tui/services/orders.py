"""Orders of a started session: plan (parse, auction, preview, guards), place, cancel, close.

Everything that can refuse an order runs before anything is signed: the typed fields
(domain.orders), the trading gate (start confirmed, referrer verified, collateral), and
the risk guards over the venue's preview. An order that passes is written to the
registry as `pending` first, then sent (order_sending.py); the row follows the result,
and a crash in between is resolved by `adopt_orders` from the chain.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from decimal import Decimal
from functools import partial

from rekt_tui.domain.brackets import Leg, bracket_cover, bracket_legs, sized_to_cover
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.guards import (
    OrderRefused, Refusal, RefusalCode, check_order, post_only_refusals, reduce_only_refusals, reducible_base,
)  # fmt: skip
from rekt_tui.domain.loss_limit import exit_only_refusals
from rekt_tui.domain.markets import MarketSpec, floor_to, resolve_market
from rekt_tui.domain.money import QUOTE_PRECISION, format_usd, to_decimal
from rekt_tui.domain.order_modify import parse_modify
from rekt_tui.domain.orders import OrderKind, OrderRequest, auction_for, parse_order
from rekt_tui.domain.records import Direction, OrderRecord, OrderStatus
from rekt_tui.domain.strategy import StrategyPreset
from rekt_tui.domain.trading import AccountSnapshot, Position
from rekt_tui.drift.sender import Landed
from rekt_tui.services.landing import Lander, land, link_of
from rekt_tui.services.link import SessionLink
from rekt_tui.registry.brackets import BracketStatus
from rekt_tui.registry.core import UNSET
from rekt_tui.services.models import ModifiedOrder, ModifyPlan, OrderForm, OrderPlan, PlacedOrder
from rekt_tui.services.order_sizing import SIZE_REFUSALS, ReferencePrices, Sizing
from rekt_tui.services.order_sending import (
    close_position,
    close_request,
    send_order,
    send_orders,
    taken_user_order_ids,
)

SLOT_S = 0.4  # seconds a slot lasts, for a wait (not money)
FILL_WAIT_S = 15  # beyond the auction, how long a market entry's bracket waits for its fill
POLL_S = 0.25


def _faces(legs: tuple[Leg, ...], snapshot: AccountSnapshot) -> bool:
    """Whether the account holds a position the reduce-only legs would shrink."""
    return bool(legs) and all(not reduce_only_refusals(leg.request, snapshot) for leg in legs)


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
            venue=self._settings.labels.name,
            oracle_price=oracle, price_band_pct=self._settings.guards.price_band_pct,
            allow_far_price=allow_far_price or form.allow_far_price,
        )  # fmt: skip
        preview = sizing.preview(request.base_amount)
        refusals = check(request, preview=preview)
        if any(r.code in SIZE_REFUSALS for r in refusals):
            refusals = check(request, preview=preview, largest_base=sizing.largest(snapshot, self.strategy()))
        ledger = await self._registry.get_loss_ledger(self._link.session.pubkey)  # exit-only after a loss limit
        refusals += exit_only_refusals(request, ledger.breach if ledger is not None else None)
        refusals += await self._program_refusals()
        entry_price = request.price or request.trigger_price or preview.entry_price  # where the entry means to fill
        legs = await self._bracket(form, request, snapshot, entry_price, oracle)
        at_fill = bool(legs) and request.kind is not OrderKind.MARKET and not _faces(legs, snapshot)
        position = next((p for p in snapshot.positions if p.market_index == request.market.market_index), None)
        cover = bracket_cover(request, position, entry_price) if legs else None
        if cover is not None and not at_fill:
            legs = sized_to_cover(legs, cover)
        unread = not book and request.kind is OrderKind.MARKET
        return OrderPlan(request, auction, preview, tuple(refusals), legs, at_fill, cover, book_unread=unread)

    async def _bracket(
        self, form: OrderForm, entry: OrderRequest, snapshot: AccountSnapshot, entry_price: int, oracle: int
    ) -> tuple[Leg, ...]:
        """The entry's take-profit and stop-loss legs. They go in the entry's transaction when a
        position already faces them; after a market entry's fill otherwise; a resting entry's
        wait in the registry and the watcher places them as it fills (services/pending_brackets.py)."""
        if not (form.take_profit or form.stop_loss):
            return ()
        legs = bracket_legs(
            entry, take_profit=form.take_profit, stop_loss=form.stop_loss, entry_price=entry_price,
            oracle_price=oracle, markets=self.markets(), taken=await taken_user_order_ids(self._link),
            now=int(time.time()),
        )  # fmt: skip
        return legs

    async def largest_size(self, form: OrderForm) -> int:
        """The largest size (base precision) of `form`'s order that passes the margin and
        leverage guards, or a reduce-only order's position; the form's own size is ignored.
        0 when not even the minimum fits."""
        snapshot = self._trading_account()
        spec = resolve_market(form.market, self.markets())
        minimum = f"{to_decimal(spec.min_order_size, spec.base_decimals)}"
        request = await self._request(replace(form, size=minimum))
        if request.reduce_only:  # it adds no risk: the position it shrinks is the limit
            return floor_to(reducible_base(request, snapshot), spec.step_size)
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
            if crossing := post_only_refusals(plan.request, book[0][0] if book else None, self._settings.labels.name):
                raise OrderRefused(crossing)
        entry_alone = self._venue.place_order
        if not plan.bracket:
            return await send_order(self._link, "place_order", plan.request, entry_alone(plan.request, plan.auction))
        legs = [leg.request for leg in plan.bracket]
        if _faces(plan.bracket, self._account()):  # one transaction: the entry and its bracket, or nothing
            transaction = self._venue.place_orders([plan.request, *legs], plan.auction)
            entry, *placed = await send_orders(self._link, "place_orders", [plan.request, *legs], transaction)
            return replace(entry, bracket=tuple(placed))
        if plan.request.kind is not OrderKind.MARKET:  # a resting entry: the legs wait for its fill
            return await self._entry_with_waiting_bracket(plan)
        entry = await send_order(self._link, "place_order", plan.request, entry_alone(plan.request, plan.auction))
        return await self._bracket_after_fill(entry, plan, legs)

    async def _entry_with_waiting_bracket(self, plan: OrderPlan) -> PlacedOrder:
        """Place the entry with its bracket recorded as waiting, linked to the entry's row, before signing."""
        legs = {leg.name: leg.request.trigger_price for leg in plan.bracket}
        entry_price = plan.request.price or plan.request.trigger_price or plan.preview.entry_price

        async def record_bracket(rows: list[OrderRecord]) -> None:
            await self._registry.add_pending_bracket(
                self._link.pubkey, rows[0].id, take_profit=legs.get("take-profit"), stop_loss=legs.get("stop-loss"),
                entry_price=entry_price,
            )  # fmt: skip

        transaction = self._venue.place_order(plan.request, plan.auction)
        entry = await send_order(self._link, "place_order", plan.request, transaction, rows_written=record_bracket)
        return replace(entry, bracket_at_fill=True)

    async def _bracket_after_fill(self, entry: PlacedOrder, plan: OrderPlan, legs: list[OrderRequest]) -> PlacedOrder:
        """Place the legs once the market entry's fill gives them a position to face; the entry
        stands whatever happens here, and the answer says so."""
        deadline = time.monotonic() + (plan.auction[2] if plan.auction else 0) * SLOT_S + FILL_WAIT_S
        while not _faces(plan.bracket, self._account()) and time.monotonic() < deadline:
            await asyncio.sleep(POLL_S)
            await self._venue.refresh_account()
        if not _faces(plan.bracket, self._account()):
            problem = (f"The entry ({entry.signature}) has not filled yet, so its take-profit and stop-loss were not "
                       "placed; place them once it fills.")  # fmt: skip
            return replace(entry, bracket_problem=problem)
        try:
            placed = await send_orders(self._link, "place_orders", legs, self._venue.place_orders(legs, None))
        except RektError as error:
            problem = f"The entry filled ({entry.signature}) but its bracket was not placed: {error.message}"
            return replace(entry, bracket_problem=problem)
        return replace(entry, bracket=tuple(placed))

    async def plan_modify(
        self, order_id: int, *, price: str | None, size: str | None, trigger: str | None
    ) -> ModifyPlan:
        """What open order `order_id` (venue order id) would become, previewed and guarded as that order."""
        snapshot = self._account()
        order = next((o for o in snapshot.orders if o.order_id == order_id), None)
        if order is None:
            raise RektError(f"There is no open order #{order_id} to modify; the open orders list them.")
        spec = next((s for s in self.markets().values() if s.market_index == order.market_index), None)
        if spec is None:
            raise RektError(f"Perp market {order.market_index} does not exist on this cluster.")
        oracle = self._oracle(spec)
        request = parse_modify(order, spec, price=price, size=size, trigger=trigger, oracle_price=oracle)
        if not request.reduce_only:
            snapshot = self._trading_account()
        book = await self._venue.book_side(spec, request.direction)
        others = tuple(o for o in snapshot.orders if o.order_id != order_id)
        age = self._data_age_s()
        preview = self._venue.preview(request, auction_end_price=None, book=book, replacing=order)
        refusals = check_order(
            request, snapshot, preview, self.strategy(), open_orders=others, account_age_s=age, oracle_age_s=age,
            stale_after_s=self._settings.ui.stale_after_s, allow_stacking=True, oracle_price=oracle,
            price_band_pct=self._settings.guards.price_band_pct, best_opposite=book[0][0] if book else None,
            venue=self._settings.labels.name,
        )  # fmt: skip
        refusals += await self._program_refusals()
        return ModifyPlan(order, OrderPlan(request, None, preview, tuple(refusals)))

    async def _program_refusals(self) -> list[Refusal]:
        """The link's compatibility refusal (a paused program, another layout), shown in the
        preview as the order is typed rather than only once it is confirmed."""
        refusal = await self._link.sender.current_refusal()
        return [] if refusal is None else [Refusal(RefusalCode.PROGRAM, refusal)]

    async def modify(self, plan: ModifyPlan) -> ModifiedOrder:
        """Replace the order in place; the transaction's intent (old and new terms) is recorded
        before it is signed, and the order's row takes the new terms and chain id once it lands."""
        request = plan.plan.request
        if plan.plan.refusals:
            raise OrderRefused(plan.plan.refusals)
        if request.post_only:
            book = await self._venue.book_side(request.market, request.direction)
            if crossing := post_only_refusals(request, book[0][0] if book else None, self._settings.labels.name):
                raise OrderRefused(crossing)
        transaction = self._venue.modify_order(plan.order.order_id, request)
        record = await self._registry.find_live_order(self._link.session.pubkey, request.user_order_id)
        old = plan.order
        intent: dict[str, object] = {
            "action": "modify", "order": record.id if record else None, "chain_order_id": old.order_id,
            "user_order_id": request.user_order_id, "market": request.market.symbol,
            "from": {
                "base_amount": old.base_amount - old.filled, "price": old.price or None,
                "trigger_price": old.trigger_price,
            },
            "to": {"base_amount": request.base_amount, "price": request.price, "trigger_price": request.trigger_price},
        }  # fmt: skip
        landed = await land(self._link, "modify_order", intent, transaction)
        snapshot = self._venue.snapshot()
        now = next((o for o in (snapshot.orders if snapshot else ()) if o.user_order_id == request.user_order_id), None)
        if record is not None:
            record = await self._registry.update_order(
                record.id, chain_order_id=now.order_id if now else UNSET, transaction_signature=landed.signature,
                base_amount=request.base_amount, price=request.price, trigger_price=request.trigger_price,
            )  # fmt: skip
        return ModifiedOrder(record, now.order_id if now else None, landed.signature)

    async def plan_reverse(self, market: str) -> OrderPlan:
        """The market order that turns `market`'s position around: twice its size, the other way.
        Sized from the position and asked for on purpose, it is no double keypress: a resting
        order on its side does not refuse it as stacking."""
        [position] = self._positions(self._account(), market)
        spec = resolve_market(position.symbol, self.markets())
        side = "sell" if position.base_amount > 0 else "buy"
        size = to_decimal(2 * abs(position.base_amount), spec.base_decimals).normalize()
        return await self.plan(OrderForm(spec.symbol, side, f"{size:f}"), allow_stacking=True)

    async def cancel(self, order_id: int | None = None) -> Landed:
        """Cancel one open order (Drift's order id, as status shows it) or all of them."""
        return await self.cancel_many(None if order_id is None else [order_id])

    async def cancel_many(self, order_ids: list[int] | None) -> Landed:
        """Cancel these open orders (Drift's order ids), or all of them for None, in one transaction."""
        snapshot = self._account()
        targets = [o for o in snapshot.orders if order_ids is None or o.order_id in order_ids]
        transaction = self._venue.cancel_orders(order_ids)
        intent: dict[str, object] = {"action": "cancel", "orders": [o.order_id for o in targets]}
        landed = await land(self._link, "cancel_order", intent, transaction)
        for order in targets:
            record = await self._registry.find_live_order(self._link.session.pubkey, order.user_order_id)
            if record is not None:
                await self._registry.update_order(
                    record.id, status=OrderStatus.CANCELLED, transaction_signature=landed.signature
                )
        await self._drop_waiting_brackets({o.user_order_id: o.filled for o in targets}, landed.signature)
        return landed

    async def _drop_waiting_brackets(self, filled_by_user_order_id: dict[int, int], signature: str) -> None:
        """A cancelled entry that never filled leaves its waiting bracket nothing to protect; one
        that filled in part keeps it, and the watcher places legs for that part."""
        for bracket in await self._registry.list_pending_brackets(self._link.pubkey):
            if filled_by_user_order_id.get(bracket.entry_user_order_id, -1) == 0:
                number = bracket.entry_chain_order_id
                sentence = f"The bracket of order #{number} was dropped with its entry ({signature})."
                await self._registry.end_pending_bracket(bracket.id, BracketStatus.CANCELLED, sentence)

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
        return OrderPlan(request, auction, preview, (), book_unread=not book)

    async def close(self, market: str | None = None, percent: int = 100) -> list[PlacedOrder]:
        """Close `percent` of one market's position, or of every position, with reduce-only market orders.

        Closes need no start confirmation and pass no risk guards: reduce-only for the exact
        size the chain holds, they can only lower risk, and repeating one is harmless. The
        market's take-profit and stop-loss stay until the close has filled (an auction can end
        unfilled): a watcher (`services.orphaned_legs`) or `legs_after_close` ends them then.
        """
        return [placed async for placed in self.closing(market, percent)]

    async def closing(self, market: str | None = None, percent: int = 100) -> AsyncIterator[PlacedOrder]:
        """`close`, one close at a time as each is sent: when a later one fails, the caller
        still holds those already sent, to say them and to end their markets' legs."""
        strategy, taken = self.strategy(), await taken_user_order_ids(self._link)
        for position in self._positions(self._account(), market):
            _, order = await close_position(
                self._link, position, slippage_bps=strategy.slippage_bps, auction_s=strategy.auction_duration_s,
                expiry_s=self._settings.default_order_expiry_s, taken=taken, percent=percent,
            )  # fmt: skip
            yield order

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
            raise RektError(f"This session has no {self._settings.labels.account} yet; run `rekt-tui init` first.")
        return snapshot

    def _trading_account(self) -> AccountSnapshot:
        """The account, if this session may open risk: start confirmed, referrer
        verified (when one is configured) and enough collateral inside the venue."""
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
                f"{self._settings.labels.name} holds {format_usd(snapshot.total_collateral)} of collateral, below the "
                f"{format_usd(minimum)} "
                "trading minimum; deposit more."
            )
        return snapshot

    def stale_for_s(self) -> float | None:
        """How old the account data is while its feed is stale (reconnecting, or silent for
        longer than `ui.stale_after_s`); None while it is fresh."""
        venue = self._venue
        return venue.age_s() if venue.is_stale(self._settings.ui.stale_after_s) else None

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
