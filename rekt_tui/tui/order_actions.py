"""The cockpit's order actions: placing from order entry; closing, reversing, modifying and
cancelling from the dashboard.

Each is a worker of the app (`OrderActions` starts them), so closing a screen never cancels
a transaction already on its way; each asks the one confirm modal before anything is
signed, calls the order service and posts what happened to the dashboard. A close shows
the preview of the very reduce-only order it sends, so the user sees the price and what is
left first. Closes and cancels only lower risk, so unlike new orders they stay available on
stale data and before trading starts.
"""

from __future__ import annotations

from argparse import Namespace
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.message import Message

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.fills import Fill, fills_between
from rekt_tui.domain.guards import OrderRefused
from rekt_tui.domain.markets import MarketSpec, format_base, resolve_market
from rekt_tui.domain.money import format_usd
from rekt_tui.domain.order_grammar import parse_command_line
from rekt_tui.domain.orders import parse_side, side_label
from rekt_tui.domain.records import Direction
from rekt_tui.services.models import OrderForm, PlacedOrder
from rekt_tui.domain.trading import AccountSnapshot, Order, Position
from rekt_tui.tui.tables import order_cells
from rekt_tui.tui.screens.close_position import CloseChoice, ClosePositionScreen, every_leg, legs_note
from rekt_tui.tui.session_controller import NO_SESSION
from rekt_tui.tui.screens.confirm import ConfirmScreen
from rekt_tui.tui.formatting import hud_price
from rekt_tui.tui.order_text import NO_ORDER_TO_MODIFY, order_question
from rekt_tui.tui.screen_names import COMMAND_LINE, MODIFY_ORDER
from rekt_tui.tui.session_messages import OrderPlaced, OrderPlanned, OrderPlaceRequested, Sent
from rekt_tui.tui.workers import group_running

if TYPE_CHECKING:
    from textual.app import App

    from rekt_tui.tui.app import RektApp
    from rekt_tui.tui.screens.command_line import CommandLineScreen
    from rekt_tui.tui.screens.modify_order import ModifyFields, ModifyOrderScreen
    from rekt_tui.services.orders import OrderService
    from rekt_tui.tui.session_controller import SessionController

CHANGE_GROUP = "position-change"  # closes and cancels, one at a time
PLACE_GROUP = "order-place"
STALE_ORDERS = "Orders wait for fresh data: a live feed is stale (its panels say STALE) and reconnects on its own."
ORDER_ACTIONS = frozenset({"buy", "sell"})

Confirm = Callable[[str, str], Awaitable[bool]]  # (title, question) -> the user's answer
Ask = Callable[[ClosePositionScreen], Awaitable[CloseChoice | None]]
Post = Callable[[Message], object]


def confirm(app: App[None]) -> Confirm:
    """Ask the one confirm modal from inside a worker of `app`."""

    async def ask(title: str, question: str) -> bool:
        return bool(await app.push_screen_wait(ConfirmScreen(title, question)))

    return ask


def cancel_question(order: Order | None, count: int, market_names: dict[int, str]) -> str:
    if order is None:
        return f"Cancel all {count} open order{'s' if count != 1 else ''}?"
    market, kind, side, size, price, *_ = order_cells(order, market_names)
    return f"Cancel order #{order.order_id}: {market} {kind} {side} {size} at {price}?"


async def place_order(sessions: SessionController, request: OrderPlaceRequested, confirm: Confirm, post: Post) -> None:
    """Plan again on current data, confirm, then sign; a refusal goes back to the form that asked."""
    orders = sessions.orders()
    plan = await orders.plan(request.form)
    if plan.refusals:
        request.entry.post_message(OrderPlanned(request.form, plan))
        return
    if await confirm("Place order", order_question(plan)):
        post(OrderPlaced(await orders.submit(plan)))


async def close_position(
    sessions: SessionController, position: Position, ask: Ask, post: Post, *, reverse: bool = False,
    legs: Mapping[int, tuple[Order, ...]] | None = None,
) -> None:
    """Ask what share to close (or every position, or to reverse it), previewed; then send the orders.
    `legs` holds, by market, the resting take-profit / stop-loss a full close ends: the question names them."""
    choice = await ask(ClosePositionScreen(position, sessions, reverse=reverse, legs=legs))
    if choice is None:
        return
    orders = sessions.orders()
    if choice.reverse:  # planned again on current data: a refusal now is said, nothing signed
        plan = await orders.plan_reverse(position.symbol)
        if plan.refusals:
            raise OrderRefused(plan.refusals)
        post(OrderPlaced(await orders.submit(plan)))
        return
    specs = {spec.market_index: spec for spec in orders.markets().values()}
    share = "" if choice.percent == 100 else f"{choice.percent}% of "

    def line(placed: PlacedOrder) -> str:
        spec = specs[placed.record.market_index]
        amount = format_base(placed.record.base_amount, spec)
        return f"Closing {share}{spec.symbol}: reduce-only market order for {amount} ({placed.signature})"

    await send_closes(orders, choice.market, choice.percent, line, post)


async def close_all(
    sessions: SessionController, count: int, confirm: Confirm, post: Post,
    legs: Mapping[int, tuple[Order, ...]] | None = None,
) -> None:  # fmt: skip
    if not await confirm("Close every position", f"Close all {count} position{'s' if count != 1 else ''} "
                         f"with reduce-only market orders?{legs_note(every_leg(legs or {}))}"):  # fmt: skip
        return
    line = lambda placed: f"Closing: reduce-only market order ({placed.signature})"  # noqa: E731
    await send_closes(sessions.orders(), None, 100, line, post)


async def send_closes(
    orders: OrderService, market: str | None, percent: int, line: Callable[[PlacedOrder], str], post: Post
) -> None:
    """Send the closes one at a time: those sent before one failed are said before its error."""
    lines: list[str] = []
    try:
        async for placed in orders.closing(market, percent):
            lines.append(line(placed))
    finally:
        if lines:
            post(Sent(tuple(lines)))


async def modify_order(sessions: SessionController, fields: ModifyFields, confirm: Confirm, post: Post) -> None:
    """Plan the modification again on current data, confirm, then sign."""
    from rekt_tui.tui.screens.modify_order import modify_question

    orders = sessions.orders()
    plan = await orders.plan_modify(fields.order_id, price=fields.price, size=fields.size, trigger=fields.trigger)
    if plan.plan.refusals:
        raise OrderRefused(plan.plan.refusals)
    if not await confirm("Modify order", modify_question(plan)):
        return
    done = await orders.modify(plan)
    number = "" if done.chain_order_id is None else f", now order #{done.chain_order_id}"
    post(Sent((f"Modified order #{fields.order_id}{number} ({done.signature})",)))


async def cancel_orders(
    sessions: SessionController, order: Order | None, question: str, confirm: Confirm, post: Post
) -> None:
    """Cancel one order, or every open order when `order` is None."""
    if not await confirm("Cancel", question):
        return
    landed = await sessions.orders().cancel(None if order is None else order.order_id)
    what = "every open order" if order is None else f"order #{order.order_id}"
    post(Sent((f"Cancelled {what} ({landed.signature})",)))


class OrderActions:
    """The app's side of orders: order entry, and the workers that place, close and cancel."""

    def __init__(self, app: RektApp) -> None:
        self._app = app
        self.fills = FillWatcher(app)
        app.dashboard.feeds.on_account = self.fills.account_updated  # as they arrive, whatever screen is up
        # Installed as factories: Textual builds each on its first push, after the first frame.
        app.install_screen(self._command_line, COMMAND_LINE)  # type: ignore[arg-type]
        app.install_screen(self._modify_screen, MODIFY_ORDER)  # type: ignore[arg-type]

    def _command_line(self) -> CommandLineScreen:
        from rekt_tui.tui.screens.command_line import CommandLineScreen

        return CommandLineScreen(self.run_command)

    def _modify_screen(self) -> ModifyOrderScreen:
        """The open orders' `e` opens it on the selected order; `:modify` on the one it names."""
        from rekt_tui.tui.screens.modify_order import ModifyOrderScreen

        app = self._app
        return ModifyOrderScreen(
            app.sessions, app.dashboard.selected_order, lambda: app.dashboard.orders_and_names()[1], self.modify
        )

    @property
    def changing(self) -> bool:
        return group_running(self._app, CHANGE_GROUP)

    def explain_dimmed(self, key: str) -> None:
        """A dimmed order key (the data is stale) says why it waits instead of doing nothing; so
        does the open orders' `e`, hidden while no order is there to modify."""
        app = self._app
        action = next((b.action for b in app.BINDINGS if isinstance(b, Binding) and b.key == key), None)
        if action in ORDER_ACTIONS and app.screen is app.dashboard and app.check_action(action, ()) is None:
            app.notify(STALE_ORDERS, title="Orders", severity="warning", markup=False)
        elif key == "e" and app.screen is app.dashboard and app.dashboard.query_one("#orders").has_focus_within:
            if app.dashboard.selected_order() is None:
                app.notify(NO_ORDER_TO_MODIFY, severity="warning")

    def open_entry(self, side: str, prefill: OrderForm | None = None) -> None:
        from rekt_tui.tui.screens.order_entry import OrderEntryScreen  # built on first use, not for the first frame

        sessions = self._app.sessions
        market = prefill.market if prefill else self._app.dashboard.market  # the market on screen is the one to trade
        self._app.push_screen(OrderEntryScreen(side, sessions.markets(), sessions, market, prefill=prefill))

    def run_command(self, line: str | None) -> None:
        """Start what a `:` line asks; a line that cannot be done says why in one sentence."""
        if not line:
            return
        try:
            self._run(parse_command_line(line))
        except RektError as error:
            self._app.notify(error.message, title="Command line", severity="warning", markup=False)
            self._app.dashboard.record(error.message, "error")

    def _run(self, args: Namespace) -> None:
        app = self._app
        if not app.sessions.linked:
            raise RektError(NO_SESSION)
        if args.command == "order":
            applies = app.check_action("buy", ())
            if applies is None:
                raise RektError(STALE_ORDERS)
            if not applies:
                raise RektError("Orders wait for a started session with fresh data; see the checklist.")
            spec = resolve_market(args.market, app.sessions.orders().markets())
            side = "buy" if parse_side(args.side) is Direction.LONG else "sell"
            form = OrderForm(spec.symbol, side, args.size, kind=args.kind, price=args.price, trigger=args.trigger,
                             reduce_only=args.reduce_only, post_only=args.post_only, expire_s=args.expire,
                             allow_stacking=args.allow_stacking, allow_far_price=args.allow_far_price,
                             take_profit=args.take_profit, stop_loss=args.stop_loss)  # fmt: skip
            self.open_entry(side, form)
        elif args.command == "modify":
            account = app.dashboard.account
            order = next((o for o in (account.orders if account else ()) if o.order_id == args.order_id), None)
            if order is None:
                raise RektError(f"There is no open order #{args.order_id}; the orders panel lists them.")
            from rekt_tui.tui.screens.modify_order import ModifyOrderScreen

            screen = app.get_screen(MODIFY_ORDER, ModifyOrderScreen)
            screen.target = (order, {name: getattr(args, name) for name in ("price", "size", "trigger")})
            app.push_screen(MODIFY_ORDER)
        elif args.command == "cancel":
            account = app.dashboard.account
            orders = account.orders if account else ()
            order = next((o for o in orders if o.order_id == args.order_id), None)
            if not args.all and order is None:
                raise RektError(f"There is no open order #{args.order_id}; the orders panel lists them.")
            if args.all and not orders:
                raise RektError("There are no open orders to cancel.")
            self.cancel(order)
        else:
            self._close(args.market, reverse=args.command == "reverse")

    def modify(self, fields: ModifyFields) -> None:
        app = self._app
        app.start(modify_order(app.sessions, fields, confirm(app), app.dashboard.post_message), CHANGE_GROUP)

    def _close(self, market: str | None, *, reverse: bool = False) -> None:
        app = self._app
        positions = app.dashboard.account.positions if app.dashboard.account else ()
        if market is None:
            if reverse:
                raise RektError("Reverse takes one market (like SOL-PERP).")
            if not positions:
                raise RektError("There is no open position to close.")
            app.start(close_all(app.sessions, len(positions), confirm(app), app.dashboard.post_message,
                                app.dashboard.protection()), CHANGE_GROUP)  # fmt: skip
            return
        spec = resolve_market(market, app.sessions.orders().markets())
        position = next((p for p in positions if p.market_index == spec.market_index), None)
        if position is None:
            raise RektError(f"There is no open position in {spec.symbol} to {'reverse' if reverse else 'close'}.")
        app.start(close_position(app.sessions, position, app.push_screen_wait, app.dashboard.post_message,
                                 reverse=reverse, legs=app.dashboard.protection()),
                  CHANGE_GROUP)  # fmt: skip

    def place(self, request: OrderPlaceRequested) -> None:
        # One at a time, and never by cancelling the one on its way: that would leave its
        # transaction to the next launch's reconciliation.
        app = self._app
        if group_running(app, PLACE_GROUP):
            app.notify("The previous order is still being placed.", severity="warning")
            return
        app.start(place_order(app.sessions, request, confirm(app), app.dashboard.post_message), PLACE_GROUP)

    def close_selected(self, *, reverse: bool = False) -> None:
        """`x` (or `v`, straight to the reverse) on the position under the cursor."""
        app = self._app
        if (position := app.dashboard.selected_position()) is not None:
            body = close_position(app.sessions, position, app.push_screen_wait, app.dashboard.post_message,
                                  reverse=reverse, legs=app.dashboard.protection())  # fmt: skip
            app.start(body, CHANGE_GROUP)

    def cancel_selected(self) -> None:
        if (order := self._app.dashboard.selected_order()) is not None:
            self.cancel(order)

    def cancel(self, order: Order | None) -> None:
        """Cancel `order`, or every open order when it is None."""
        app = self._app
        question = cancel_question(order, *app.dashboard.orders_and_names())
        app.start(cancel_orders(app.sessions, order, question, confirm(app), app.dashboard.post_message),
                  CHANGE_GROUP)  # fmt: skip


def fill_text(fill: Fill, specs: dict[str, MarketSpec]) -> str:
    """One fill, the way the activity log and the toast say it."""
    spec = specs.get(fill.symbol)
    size = format_base(fill.size, spec) if spec else f"{fill.size / 10**9:g}"
    number = f" (order #{fill.order_id})" if fill.order_id is not None else ""
    # A fill that closes the position leaves no quote to price it from; the venue's record does (history).
    price = "closing the position (h shows its price)" if fill.price is None else f"at {hud_price(fill.price)}"
    fee = "" if fill.fee is None else f", fee {format_usd(fill.fee)}"
    if fill.fee is None and fill.price is not None:
        price += " net of fee"
    return f"Filled{number}: {fill.symbol} {side_label(fill.direction)} {size} {price}{fee}"


class FillWatcher:
    """Reports every fill of the session's orders as a toast and an activity line."""

    def __init__(self, app: RektApp) -> None:
        self._app = app
        self._last: tuple[str, AccountSnapshot] | None = None

    def account_updated(self, snapshot: AccountSnapshot | None) -> None:
        """Compare with the previous snapshot of the same session (a switch starts afresh)."""
        session = self._app.sessions.session
        if session is None or snapshot is None:
            return
        before, self._last = self._last, (session.pubkey, snapshot)
        if before is None or before[0] != session.pubkey or snapshot.slot < before[1].slot:
            return
        fills = fills_between(before[1], snapshot)
        if fills:
            specs = self._app.sessions.orders().markets() if self._app.sessions.linked else {}
            lines = tuple(fill_text(fill, specs) for fill in fills)
            self._app.dashboard.post_message(Sent(lines))
            for line in lines:
                self._app.notify(line, title="Fill", markup=False)
