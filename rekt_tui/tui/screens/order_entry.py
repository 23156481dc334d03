"""Order entry: a form whose preview and guard refusals follow what is typed.

The form never computes anything itself: each settled change (debounced, so typing a
size does not plan every keystroke) starts the screen's own preview worker, which asks the
order service for a plan and posts it back here. Placing goes up to the app as
`OrderPlaceRequested` (a transaction must outlive this screen); the app plans again on
current data and asks the confirm modal before anything is signed.
"""

from __future__ import annotations

from datetime import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.markets import PRICE_DECIMALS
from rekt_tui.domain.money import parse_amount, to_decimal
from rekt_tui.domain.orders import OrderKind, parse_duration, parse_kind
from rekt_tui.services.order_sizing import share_of
from rekt_tui.services.models import OrderForm, OrderPlan
from rekt_tui.tui.debounce import Debouncer
from rekt_tui.tui.messages import WorkerFailed
from rekt_tui.tui.widgets.typed_input import FieldInput
from rekt_tui.tui.session_controller import NO_SESSION
from rekt_tui.tui.order_text import preview_text
from rekt_tui.tui.session_messages import OrderPlaceRequested, OrderPlanned
from rekt_tui.tui.widgets.screen_footer import ScreenFooter

if TYPE_CHECKING:
    from rekt_tui.tui.session_controller import SessionController

DEFAULT_MARKET = "SOL-PERP"


COMPACT_BELOW_ROWS = 30  # a terminal shorter than this cannot show the HUD beside a bordered form


class OrderEntryScreen(ModalScreen[None], inherit_bindings=False):
    AUTO_FOCUS = "#order-size"
    DEFAULT_CSS = """
    #order-expiry { width: 12; }
    #order-tp, #order-sl { width: 14; }
    """
    # Letters are free in every field (sizes and prices take digits, `.`, `$` and `-`; the
    # expiry its units s, m, h, d), so the direct keys work from anywhere in the form.
    BINDINGS = [
        Binding("escape", "close", "Close order entry", id="order.close"),
        Binding("ctrl+s", "place", "Place order", id="order.place", priority=True),
        # Priority, like the direct keys: checked as each key arrives, so what is typed right
        # behind a Tab lands in the next field rather than in the one the Tab left.
        Binding("tab", "move_focus(1)", "Next field", show=False, priority=True),
        Binding("shift+tab", "move_focus(-1)", "Previous field", show=False, priority=True),
        Binding("t", "cycle('#order-kind', 1)", "Type", priority=True),
        Binding("T", "cycle('#order-kind', -1)", "Type back", show=False, priority=True),
        Binding("n", "cycle('#order-market', 1)", "Market", priority=True),
        Binding("N", "cycle('#order-market', -1)", "Market back", show=False, priority=True),
        Binding("r", "toggle('#order-reduce-only')", "Reduce-only", priority=True),
        Binding("p", "toggle('#order-post-only')", "Post-only", priority=True),
        Binding("alt+s", "toggle('#order-stacking')", "Allow stacking", show=False, priority=True),
        Binding("u", "usd", "Size in USD", priority=True),
        Binding("z", "share(25)", "25%", show=False, priority=True),
        Binding("x", "share(50)", "50%", show=False, priority=True),
        Binding("c", "share(75)", "75%", show=False, priority=True),
        Binding("v", "share(100)", "Max", priority=True),
        Binding("b", "price('bid')", "Bid", show=False, priority=True),
        Binding("a", "price('ask')", "Ask", show=False, priority=True),
        Binding("i", "price('mid')", "Mid", show=False, priority=True),
        Binding("o", "price('oracle')", "Oracle", show=False, priority=True),
        Binding("right_square_bracket", "tick(1)", "+tick", show=False, priority=True),
        Binding("left_square_bracket", "tick(-1)", "-tick", show=False, priority=True),
        Binding("e", "focus('#order-expiry')", "Expiry", show=False, priority=True),
        Binding("g", "bracket('#order-tp')", "Take-profit", show=False, priority=True),
        Binding("l", "bracket('#order-sl')", "Stop-loss", show=False, priority=True),
    ]

    def __init__(
        self, side: str, markets: tuple[str, ...], sessions: SessionController | None = None, market: str = "",
        clock: Callable[[], datetime] = datetime.now, prefill: OrderForm | None = None,
    ) -> None:
        """`sessions` plans the previews; without one, the preview asks for a session.
        `market` is the one to start on (the dashboard's), else SOL-PERP, else the first."""
        super().__init__(id="order-entry")
        self.side = side
        self.markets = markets
        self._market = market
        self._clock = clock  # the expiry's local time is read on it
        self._prefill = prefill  # an order typed on the `:` line, to preview and confirm here
        self._sessions = sessions
        self._plan: OrderPlan | None = None
        self._planned_form: OrderForm | None = None
        self._debounce = Debouncer(self, self._settled)
        # The bracket's row opens on g or l (or a `:order … --tp/--sl`): a small terminal keeps its lines for refusals.
        self._bracket_open = bool(prefill and (prefill.take_profit or prefill.stop_loss))

    def compose(self) -> ComposeResult:
        market = next((m for m in (self._market, DEFAULT_MARKET) if m in self.markets), (self.markets or ("",))[0])
        with Vertical(id="order-dialog") as dialog:
            dialog.border_title = f"{self.side.capitalize()} order"
            dialog.border_subtitle = (
                "tab fields · t type · n market · z/x/c/v 25-100% · u $ · b/a/i/o price · [ ] tick · g/l TP/SL · "
                "enter places (after confirming) · escape"
            )
            with Horizontal(classes="order-row"):
                yield Label("Market")
                yield Select([(m, m) for m in self.markets], value=market or Select.BLANK, id="order-market")
                yield Label("Type")
                kinds = [(kind.label, kind.value) for kind in OrderKind]
                yield Select(kinds, value=OrderKind.MARKET.value, allow_blank=False, id="order-kind")
            with Horizontal(classes="order-row"):
                yield Label("Size")
                # A sign is let through so `-1` is refused in words rather than read as `1`.
                yield FieldInput(id="order-size", placeholder="1.5 or $50", restrict=r"[-$0-9.]*")
                with Horizontal(id="order-price-field", classes="order-field"):
                    yield Label("Price")
                    yield FieldInput(id="order-price", placeholder="limit price", restrict=r"[-0-9.]*")
                with Horizontal(id="order-trigger-field", classes="order-field"):
                    yield Label("Trigger")
                    yield FieldInput(id="order-trigger", placeholder="trigger price", restrict=r"[-0-9.]*")
            with Horizontal(classes="order-row"):
                yield Checkbox("Reduce-only", id="order-reduce-only")
                yield Checkbox("Post-only", id="order-post-only")
                yield Checkbox("Stack", id="order-stacking")
                with Horizontal(id="order-expiry-field", classes="order-field"):
                    yield Label("Expiry")
                    yield FieldInput(id="order-expiry", placeholder="1h", restrict=r"[0-9smhdSMHD]*")
            with Horizontal(id="order-bracket", classes="order-row"):
                yield Label("Take-profit")
                yield FieldInput(id="order-tp", placeholder="trigger", restrict=r"[-0-9.]*")
                yield Label("Stop-loss")
                yield FieldInput(id="order-sl", placeholder="trigger", restrict=r"[-0-9.]*")
            # Refusals above the preview: on a small terminal the preview's tail is what gets cut.
            yield Static(id="order-refusals", markup=False)
            yield Static("Type a size to see the preview.", id="order-preview", markup=False)
        yield ScreenFooter()

    def on_resize(self) -> None:
        """On a short terminal the fields drop their borders and the form sits at the bottom, so
        the HUD above it (health, data age, the loss limit) stays in sight while an order is typed."""
        short = self.size.height < COMPACT_BELOW_ROWS
        self.set_class(short, "-short")
        for field in self.query("Input, Select, Checkbox"):
            field.compact = short  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        if (form := self._prefill) is not None:
            self.query_one("#order-kind", Select).value = parse_kind(form.kind).value
            for name, value in (("size", form.size), ("price", form.price), ("trigger", form.trigger),
                                ("tp", form.take_profit), ("sl", form.stop_loss),
                                ("expiry", f"{form.expire_s}s" if form.expire_s else "")):  # fmt: skip
                self.query_one(f"#order-{name}", Input).value = value or ""
            for name, checked in (("reduce-only", form.reduce_only), ("post-only", form.post_only),
                                  ("stacking", form.allow_stacking)):  # fmt: skip
                self.query_one(f"#order-{name}", Checkbox).value = checked
        self._show_fields()

    def form(self) -> OrderForm:
        """The order as typed (an expiry that is not a duration raises `UsageError`)."""
        kind = OrderKind(self.query_one("#order-kind", Select).value)
        market = self.query_one("#order-market", Select).value
        expiry = self.query_one("#order-expiry", Input).value if kind is not OrderKind.MARKET else ""
        return OrderForm(
            market="" if market is Select.BLANK else str(market),
            side=self.side,
            size=self.query_one("#order-size", Input).value,
            kind=kind.value,
            price=self.query_one("#order-price", Input).value if kind.takes_price else None,
            trigger=self.query_one("#order-trigger", Input).value if kind.takes_trigger else None,
            reduce_only=self.query_one("#order-reduce-only", Checkbox).value,
            post_only=self.query_one("#order-post-only", Checkbox).value if kind is OrderKind.LIMIT else False,
            expire_s=parse_duration(expiry),
            allow_stacking=self.query_one("#order-stacking", Checkbox).value,
            # Only the `:` line's --allow-far-price sets it; the form keeps what that line asked.
            allow_far_price=self._prefill.allow_far_price if self._prefill else False,
            take_profit=self._bracket_field("tp"),
            stop_loss=self._bracket_field("sl"),
        )

    def _bracket_field(self, name: str) -> str | None:
        """A take-profit or stop-loss trigger as typed; None when empty or the order is reduce-only."""
        value = self.query_one(f"#order-{name}", Input).value.strip()
        return value if value and self.query_one("#order-bracket").display else None

    def _show_fields(self) -> None:
        """Only the fields the chosen type uses are shown, so nothing typed is silently ignored."""
        kind = OrderKind(self.query_one("#order-kind", Select).value)
        self.query_one("#order-price-field").display = kind.takes_price
        self.query_one("#order-trigger-field").display = kind.takes_trigger
        self.query_one("#order-post-only").display = kind is OrderKind.LIMIT
        self.query_one("#order-expiry-field").display = kind is not OrderKind.MARKET
        # A bracket protects an entry that opens risk; a reduce-only order has nothing to protect.
        reduce_only = self.query_one("#order-reduce-only", Checkbox).value
        self.query_one("#order-bracket").display = self._bracket_open and not reduce_only

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        self._show_fields()
        self._debounce.poke()

    def _settled(self) -> None:
        """Plan what is typed; with no size there is nothing to preview, so the old one goes."""
        try:
            form = self.form()
        except RektError as error:
            self._show(None, error.message)
            return
        missing = _missing(form)
        if missing is None:
            self.preview(form)
        else:  # not typed yet is not a mistake: a hint, not a refusal
            self.workers.cancel_group(self, "order-plan")
            self._show(None, "")
            self.query_one("#order-preview", Static).update(f"Type a {missing} to see the preview.")

    @work(group="order-plan", exclusive=True, exit_on_error=False)
    async def preview(self, form: OrderForm) -> None:
        """A preview for the form as typed; a form that cannot be planned says why, inline."""
        try:
            if self._sessions is None:
                raise RektError(NO_SESSION)
            plan = await self._sessions.orders().plan(form)
        except RektError as error:
            self.post_message(OrderPlanned(form, None, error.message))
            return
        self.post_message(OrderPlanned(form, plan))

    def on_order_planned(self, message: OrderPlanned) -> None:
        self.show_plan(message.form, message.plan, message.problem)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.post_message(WorkerFailed(event.worker.error))

    def show_plan(self, form: OrderForm, plan: OrderPlan | None, problem: str) -> None:
        """Show the answer for `form`; an answer for values since changed is dropped."""
        if form != self._current_form():
            return
        self._plan, self._planned_form = plan, form
        self._show(plan, problem)

    def _current_form(self) -> OrderForm | None:
        try:
            return self.form()
        except RektError:
            return None

    def _show(self, plan: OrderPlan | None, problem: str) -> None:
        if plan is None:
            self._plan = None
        self.query_one("#order-preview", Static).update(preview_text(plan, self._clock()) if plan else "")
        sentences = problem or ("\n".join(f"✗ {refusal.sentence}" for refusal in plan.refusals) if plan else "")
        refusals = self.query_one("#order-refusals", Static)
        refusals.update(sentences)
        refusals.set_class(bool(sentences), "-refused")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "place":
            return self._placeable()
        return True

    def _placeable(self) -> bool:
        return self._plan is not None and not self._plan.refusals and self._planned_form == self._current_form()

    @on(Input.Submitted)
    def action_place(self) -> None:
        if self._placeable():
            self.post_message(OrderPlaceRequested(self.form(), self))

    def action_close(self) -> None:
        self.dismiss()

    # Direct keys

    def action_cycle(self, selector: str, step: int) -> None:
        select = self.query_one(selector, Select)
        values = list(self.markets) if selector == "#order-market" else [kind.value for kind in OrderKind]
        if values:
            current = values.index(select.value) if select.value in values else -step
            select.value = values[(current + step) % len(values)]
            self._show_fields()  # now, so a Tab typed right behind reaches the type's own fields

    def action_toggle(self, selector: str) -> None:
        box = self.query_one(selector, Checkbox)
        if box.display:
            box.toggle()

    def action_move_focus(self, step: int) -> None:
        """Tab through the form in its own order, known at once. Textual's order sorts by
        where widgets were last drawn, so a field a type key just showed came first until
        the next layout, and a Tab typed right behind that key went astray."""
        fields = [w for w in self.query("Input, Select, Checkbox") if all(n.display for n in w.ancestors_with_self
                  if n is not self)]  # fmt: skip
        if fields:
            current = fields.index(self.focused) if self.focused in fields else -step
            self.set_focus(fields[(current + step) % len(fields)])

    def action_focus(self, selector: str) -> None:
        """Focus now, not after the queue (`Widget.focus` defers): keys typed right behind a
        field key must land in that field, as they do for a fast typist or a paste."""
        field = self.query_one(selector)
        if field.display and (field.parent is None or field.parent.display):
            self.set_focus(field)

    def action_bracket(self, selector: str) -> None:
        """Open the take-profit and stop-loss row, at the field asked for."""
        self._bracket_open = True
        self._show_fields()
        self.action_focus(selector)

    def action_usd(self) -> None:
        """Switch the size between base units and USD notional (a leading `$`)."""
        size = self.query_one("#order-size", Input)
        size.value = size.value[1:] if size.value.startswith("$") else f"${size.value}"

    @work(group="order-keys", exclusive=True, exit_on_error=False)
    async def action_share(self, percent: int) -> None:
        """Size the order at `percent` of the largest the margin and leverage guards allow."""
        try:
            form = self._keyed_form()
            largest = await self._sessions.orders().largest_size(form)  # type: ignore[union-attr]
            spec = self._sessions.orders().markets()[form.market]  # type: ignore[union-attr]
        except RektError as error:
            self._show(None, error.message)
            return
        amount = share_of(largest, percent, spec)
        if not amount:
            reduce_only = self.query_one("#order-reduce-only", Checkbox).value
            why = "the position this side would shrink" if reduce_only else "the free collateral and leverage cap"
            self._show(None, f"Not even {spec.symbol}'s minimum size fits {why}.")
            return
        self.query_one("#order-size", Input).value = f"{to_decimal(amount, spec.base_decimals).normalize():f}"

    @work(group="order-keys", exclusive=True, exit_on_error=False)
    async def action_price(self, which: str) -> None:
        """Fill the focused price field (else the shown one) with the bid, ask, mid or oracle."""
        field = self._price_field()
        if field is None:
            return
        try:
            prices = await self._sessions.orders().reference_prices(self._keyed_form().market)  # type: ignore[union-attr]
        except RektError as error:
            self._show(None, error.message)
            return
        price = {"bid": prices.bid, "ask": prices.ask, "mid": prices.mid, "oracle": prices.oracle}[which]
        if price is None:
            self._show(None, f"The {which} of {prices.market.symbol} is not known; the order book has not answered.")
            return
        field.value = f"{to_decimal(price, PRICE_DECIMALS)}"

    def action_tick(self, steps: int) -> None:
        field = self._price_field()
        market = self.query_one("#order-market", Select).value
        specs = self._sessions.orders().markets() if self._sessions is not None else {}
        if field is None or market not in specs:
            return
        tick = specs[str(market)].tick_size
        try:
            price = parse_amount(field.value or "0.000001", PRICE_DECIMALS, what="Price")
        except RektError as error:
            self._show(None, error.message)
            return
        moved = max(price // tick * tick + steps * tick, tick)
        field.value = f"{to_decimal(moved, PRICE_DECIMALS)}"

    def _price_field(self) -> Input | None:
        fields = [self.query_one(f"#order-{name}", Input) for name in ("price", "trigger", "tp", "sl")]
        shown = [f for f in fields if f.parent is not None and f.parent.display]
        focused = [f for f in shown if f.has_focus]
        primary = [f for f in shown if f.id in ("order-price", "order-trigger")]  # a bracket field only when focused
        return (focused or primary or [None])[0]

    def _keyed_form(self) -> OrderForm:
        if self._sessions is None:
            raise RektError(NO_SESSION)
        return self.form()


def _missing(form: OrderForm) -> str | None:
    """The first field the order's kind needs that is still empty, named for the hint; None: all typed."""
    needed = (("size", form.size), ("limit price", form.price), ("trigger price", form.trigger))
    return next((name for name, value in needed if value is not None and not value.strip()), None)
