"""Order entry: a form whose preview and guard refusals follow what is typed.

The form never computes anything itself: each settled change (debounced, so typing a
size does not plan every keystroke) starts the screen's own preview worker, which asks the
order service for a plan and posts it back here. Placing goes up to the app as
`OrderPlaceRequested` (a transaction must outlive this screen); the app plans again on
current data and asks the confirm modal before anything is signed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Footer, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.guards import format_leverage
from rekt_tui.domain.markets import format_base, format_price
from rekt_tui.domain.money import format_usd
from rekt_tui.domain.orders import OrderKind
from rekt_tui.services.models import OrderForm, OrderPlan
from rekt_tui.tui.messages import WorkerFailed
from rekt_tui.tui.session_controller import NO_SESSION
from rekt_tui.tui.session_messages import OrderPlaceRequested, OrderPlanned

if TYPE_CHECKING:
    from rekt_tui.tui.session_controller import SessionController

DEBOUNCE_S = 0.3
DEFAULT_MARKET = "SOL-PERP"


class OrderEntryScreen(ModalScreen[None], inherit_bindings=False):
    AUTO_FOCUS = "#order-size"
    BINDINGS = [
        Binding("escape", "close", "Close order entry", id="order.close"),
        Binding("ctrl+s", "place", "Place order", id="order.place", priority=True),
    ]

    def __init__(self, side: str, markets: tuple[str, ...], sessions: SessionController | None = None) -> None:
        """`sessions` plans the previews; without one, the preview asks for a session."""
        super().__init__(id="order-entry")
        self.side = side
        self.markets = markets
        self._sessions = sessions
        self._plan: OrderPlan | None = None
        self._planned_form: OrderForm | None = None
        self._debounce = None

    def compose(self) -> ComposeResult:
        market = DEFAULT_MARKET if DEFAULT_MARKET in self.markets else (self.markets or ("",))[0]
        with Vertical(id="order-dialog") as dialog:
            dialog.border_title = f"{self.side.capitalize()} order"
            dialog.border_subtitle = "enter or ctrl+s places (after confirming) · escape closes"
            with Horizontal(classes="order-row"):
                yield Label("Market")
                yield Select([(m, m) for m in self.markets], value=market or Select.BLANK, id="order-market")
                yield Label("Type")
                kinds = [(kind.label, kind.value) for kind in OrderKind]
                yield Select(kinds, value=OrderKind.MARKET.value, allow_blank=False, id="order-kind")
            with Horizontal(classes="order-row"):
                yield Label("Size")
                yield Input(id="order-size", placeholder="base units", restrict=r"[0-9.]*")
                with Horizontal(id="order-price-field", classes="order-field"):
                    yield Label("Price")
                    yield Input(id="order-price", placeholder="limit price", restrict=r"[0-9.]*")
                with Horizontal(id="order-trigger-field", classes="order-field"):
                    yield Label("Trigger")
                    yield Input(id="order-trigger", placeholder="trigger price", restrict=r"[0-9.]*")
            with Horizontal(classes="order-row"):
                yield Checkbox("Reduce-only", id="order-reduce-only")
                yield Checkbox("Post-only", id="order-post-only")
            yield Static("Type a size to see the preview.", id="order-preview", markup=False)
            yield Static(id="order-refusals", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._show_fields()

    def form(self) -> OrderForm:
        kind = OrderKind(self.query_one("#order-kind", Select).value)
        market = self.query_one("#order-market", Select).value
        return OrderForm(
            market="" if market is Select.BLANK else str(market),
            side=self.side,
            size=self.query_one("#order-size", Input).value,
            kind=kind.value,
            price=self.query_one("#order-price", Input).value if kind.takes_price else None,
            trigger=self.query_one("#order-trigger", Input).value if kind.takes_trigger else None,
            reduce_only=self.query_one("#order-reduce-only", Checkbox).value,
            post_only=self.query_one("#order-post-only", Checkbox).value if kind is OrderKind.LIMIT else False,
        )

    def _show_fields(self) -> None:
        """Only the fields the chosen type uses are shown, so nothing typed is silently ignored."""
        kind = OrderKind(self.query_one("#order-kind", Select).value)
        self.query_one("#order-price-field").display = kind.takes_price
        self.query_one("#order-trigger-field").display = kind.takes_trigger
        self.query_one("#order-post-only").display = kind is OrderKind.LIMIT

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        self._show_fields()
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE_S, self._settled)

    def _settled(self) -> None:
        form = self.form()
        if form.size.strip():
            self.preview(form)

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
        if form != self.form():
            return
        self._plan, self._planned_form = plan, form
        self.query_one("#order-preview", Static).update(preview_text(plan) if plan else "")
        sentences = problem or "\n".join(f"✗ {refusal.sentence}" for refusal in plan.refusals)
        refusals = self.query_one("#order-refusals", Static)
        refusals.update(sentences)
        refusals.set_class(bool(sentences), "-refused")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "place":
            return self._placeable()
        return True

    def _placeable(self) -> bool:
        return self._plan is not None and not self._plan.refusals and self._planned_form == self.form()

    @on(Input.Submitted)
    def action_place(self) -> None:
        if self._placeable():
            self.post_message(OrderPlaceRequested(self.form(), self))

    def action_close(self) -> None:
        self.dismiss()


def preview_text(plan: OrderPlan) -> str:
    """The pre-trade preview, one figure a line, in the product's order."""
    preview, request = plan.preview, plan.request
    liquidation = preview.liquidation_price_after
    fee = f"{format_usd(preview.fee)}" if preview.fee >= 0 else f"{format_usd(-preview.fee)} rebate"
    return "\n".join((
        f"{request.kind.label.capitalize()} {'buy' if request.direction.value == 'long' else 'sell'} "
        f"{format_base(request.base_amount, request.market)} ({request.market.symbol})",
        f"Entry {format_price(preview.entry_price)}   worst {format_price(preview.worst_price)}   fee {fee}",
        f"Leverage after {format_leverage(preview.leverage_after)}   "
        f"free collateral after {format_usd(preview.free_collateral_after)}",
        f"Liquidation price after {format_price(liquidation) if liquidation else 'none'}",
    ))  # fmt: skip


def order_question(plan: OrderPlan) -> str:
    """What the confirm modal asks before the order is signed."""
    return f"{preview_text(plan)}\n\nSign and send this order?"
