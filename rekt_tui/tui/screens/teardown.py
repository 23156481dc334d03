"""Stop-and-withdraw progress: each step, its state and signature, then the summary.

The screen only displays: the run belongs to the app (see `tui.stop_and_withdraw`), which
pushes every event down here. Closing the screen therefore leaves the run going, and
opening it again shows everything so far.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Static

from rekt_tui.domain.money import format_sol, format_usd
from rekt_tui.domain.records import TeardownStepStatus, TransactionRecord, TransactionStatus
from rekt_tui.domain.teardown import QUOTE_SPOT_MARKET_INDEX, TeardownStep
from rekt_tui.services.models import TeardownEvent
from rekt_tui.tui.formatting import PLACEHOLDER, short_pubkey
from rekt_tui.tui.messages import LinkedSession

if TYPE_CHECKING:
    from rekt_tui.tui.app import RektApp

STEP_LABELS = {
    TeardownStep.PAUSE_TRADING: "Pause new orders",
    TeardownStep.CANCEL_ORDERS: "Cancel open orders",
    TeardownStep.CLOSE_POSITIONS: "Close positions",
    TeardownStep.SETTLE_PNL: "Settle PnL",
    TeardownStep.REPAY_BORROW: "Repay borrow",
    TeardownStep.WITHDRAW: "Withdraw collateral",
    TeardownStep.ARCHIVE: "Archive session",
}
STATE_MARKS = {
    TeardownStepStatus.DONE: ("✓", "$text-success"),
    TeardownStepStatus.PARKED: ("‖", "$text-warning"),
    TeardownStepStatus.FAILED: ("✗", "$text-error"),
    TeardownStepStatus.PENDING: ("·", "$text-muted"),
}
SPINNER_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
PARKED_HINT = "Parked: the exchange has paused this operation. Nothing is lost; press ctrl+x later to finish."


@dataclass(frozen=True)
class StepRow:
    label: str
    state: TeardownStepStatus
    signature: str | None
    message: str


def step_rows(events: tuple[TeardownEvent, ...]) -> tuple[StepRow, ...]:
    """One row per step attempt: a step's outcome replaces its own "running" row."""
    rows: list[StepRow] = []
    for event in events:
        label = STEP_LABELS[event.step] if event.step is not None else "Teardown"
        row = StepRow(label, event.state, event.signature, event.message)
        last = rows[-1] if rows else None
        if last is not None and last.label == label and last.state is TeardownStepStatus.RUNNING:
            rows[-1] = row
        else:
            rows.append(row)
    return tuple(rows)


def run_outcome(events: tuple[TeardownEvent, ...]) -> str | None:
    """The summary once archived, the reason once parked, or None while the run goes on."""
    if not events:
        return None
    last = events[-1]
    if last.state is TeardownStepStatus.PARKED:
        return PARKED_HINT
    finished = last.step in (None, TeardownStep.ARCHIVE) and last.state is TeardownStepStatus.DONE
    return last.message if finished else None


SPOT_ASSETS = {QUOTE_SPOT_MARKET_INDEX: "USDC", 1: "SOL"}  # Drift's spot market indexes
NO_FEE_RECORDS = "Fees and funding: not read from the chain's records yet."
WALLET_POLL_S = 1.0  # how often the summary takes the wallet's balances from the live feed


@dataclass(frozen=True)
class Flows:
    """Native amounts per asset ("SOL" 1e9, "USDC" 1e6) that confirmed transactions moved."""

    deposited: dict[str, int]
    withdrawn: dict[str, int]


def session_flows(transactions: Iterable[TransactionRecord]) -> Flows:
    """What the session's confirmed deposits put into Drift and its withdrawals took out,
    per asset, from the intents recorded before signing (a reduce-only withdrawal never
    moves more than the intent names)."""
    flows = Flows({}, {})
    for record in transactions:
        if record.status is not TransactionStatus.CONFIRMED or record.kind not in ("deposit", "withdraw"):
            continue
        intent = json.loads(record.intent or "{}")
        asset = intent.get("asset") or SPOT_ASSETS.get(intent.get("market", -1))
        amount = intent.get("amount")
        if asset not in ("SOL", "USDC") or not isinstance(amount, int):
            continue
        totals = flows.deposited if record.kind == "deposit" else flows.withdrawn
        totals[asset] = totals.get(asset, 0) + amount
    return flows


def archive_lines(flows: Flows, lamports: int | None, usdc: int | None) -> tuple[str, ...]:
    """The archived session's summary: what came out of Drift, what the wallet holds, and the
    result per asset (withdrawn less deposited); `None` balances are not known yet."""
    amount = {"SOL": format_sol, "USDC": lambda quote: f"{format_usd(quote)} USDC"}
    moved = " · ".join(amount[asset](flows.withdrawn[asset]) for asset in ("SOL", "USDC") if asset in flows.withdrawn)
    left_sol = PLACEHOLDER if lamports is None else format_sol(lamports)
    left_usdc = PLACEHOLDER if usdc is None else amount["USDC"](usdc)
    results = []
    for asset in ("USDC", "SOL"):
        put_in, took_out = flows.deposited.get(asset, 0), flows.withdrawn.get(asset, 0)
        if put_in or took_out:
            net = took_out - put_in
            sign = "+" if net > 0 else ""
            results.append(f"{sign}{amount[asset](net)} ({amount[asset](put_in)} in, {amount[asset](took_out)} out)")
    return (
        f"Withdrawn from Drift: {moved or 'nothing'}",
        f"Left in the session wallet: {left_sol} · {left_usdc}",
        f"Session result: {'; '.join(results) or 'no deposits or withdrawals recorded'}",
        NO_FEE_RECORDS,
    )


class Spinner(Widget):
    """A one-cell spinner; still when animations are off, so snapshots are stable."""

    frame: reactive[int] = reactive(0)

    def on_mount(self) -> None:
        if self.app.animation_level != "none":
            self.set_interval(0.1, self._advance)

    def _advance(self) -> None:
        self.frame = (self.frame + 1) % len(SPINNER_FRAMES)

    def render(self) -> str:
        return SPINNER_FRAMES[self.frame]


class StepLine(Widget):
    """One step: its mark (or a spinner while running), name, signature and what happened."""

    def __init__(self, row: StepRow) -> None:
        super().__init__(classes="teardown-step")
        self.row = row

    def compose(self) -> ComposeResult:
        if self.row.state is TeardownStepStatus.RUNNING:
            yield Spinner(classes="teardown-mark")
        else:
            mark, colour = STATE_MARKS[self.row.state]
            yield Static(Content.styled(mark, colour), classes="teardown-mark")
        signature = f"  {short_pubkey(self.row.signature, 6)}" if self.row.signature else ""
        text = Content.assemble((self.row.label, "bold"), (signature, "$text-muted"), "  ", self.row.message)
        yield Static(text, classes="teardown-text")


class TeardownScreen(ModalScreen[None], inherit_bindings=False):
    BINDINGS = [Binding("escape", "close", "Close (the run continues)", id="teardown.close")]

    events: reactive[tuple[TeardownEvent, ...]] = reactive((), recompose=True)
    flows: reactive[Flows | None] = reactive(None, recompose=True)  # read once the session is archived
    wallet: reactive[tuple[int | None, int | None]] = reactive((None, None), recompose=True)  # lamports, USDC

    def __init__(self, session: str, events: tuple[TeardownEvent, ...] = ()) -> None:
        super().__init__(id="teardown")
        self.session = session
        self._summarising = False
        self.set_reactive(TeardownScreen.events, events)

    def compose(self) -> ComposeResult:
        with Vertical(id="teardown-dialog") as dialog:
            dialog.border_title = f"Stop and withdraw · {short_pubkey(self.session)}"
            dialog.border_subtitle = "escape closes; the run continues"
            for row in step_rows(self.events):
                yield StepLine(row)
            outcome = run_outcome(self.events)
            if outcome is None:
                yield Static("Working… you may close this; the run keeps going.", id="teardown-outcome")
            else:
                yield Static(outcome, id="teardown-outcome", classes="-finished", markup=False)
            if self.flows is not None:
                yield Static("\n".join(archive_lines(self.flows, *self.wallet)), id="teardown-summary", markup=False)

    def on_mount(self) -> None:
        self.watch_events()  # opened again after the run ended

    def watch_events(self) -> None:
        """Once the session is archived: the summary's flows from the registry, and its wallet from the feed."""
        if not self._summarising and _archived(self.events):
            self._summarising = True
            self._read_flows()
            self.set_interval(WALLET_POLL_S, self._take_wallet)
            self._take_wallet()

    @work(exclusive=True, exit_on_error=False)
    async def _read_flows(self) -> None:
        app: RektApp = self.app  # type: ignore[assignment]
        app.dashboard.feeds.refresh_linked()  # the wallet's balances after the withdrawal, not the last poll's
        confirmed = await app.services.registry.list_transactions(self.session, statuses=(TransactionStatus.CONFIRMED,))
        self.flows = session_flows(confirmed)

    def _take_wallet(self) -> None:
        linked: LinkedSession | None = self.app.dashboard.linked  # type: ignore[attr-defined]
        if linked is not None and linked.session.pubkey == self.session:
            self.wallet = (linked.lamports, linked.usdc)

    def action_close(self) -> None:
        self.dismiss()


def _archived(events: tuple[TeardownEvent, ...]) -> bool:
    last = events[-1] if events else None
    return last is not None and last.step is TeardownStep.ARCHIVE and last.state is TeardownStepStatus.DONE
