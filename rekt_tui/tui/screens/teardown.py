"""Stop-and-withdraw progress: each step, its state and signature, then the summary.

The screen only displays: the run belongs to the app (see `tui.stop_and_withdraw`), which
pushes every event down here, and the session's result once archived. Closing the screen therefore leaves the run going, and
opening it again shows everything so far.
"""

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Static

from rekt_tui.domain.records import TeardownStepStatus
from rekt_tui.domain.teardown import TeardownStep
from rekt_tui.services.models import TeardownEvent
from rekt_tui.tui.formatting import short_pubkey

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
PARKED_HINT = "Parked (the step above says why): nothing is lost; press ctrl+x later to finish."
# The archive step's own row already shows the final balances; the outcome line says the run is over.
ARCHIVED_OUTCOME = "Done: the session is archived."
FAILED_OUTCOME = "Stopped at the failed step above; nothing after it ran, and the next stop resumes from there."


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
    """What ended the run (archived, parked or failed), or None while it goes on."""
    if not events:
        return None
    last = events[-1]
    if last.state is TeardownStepStatus.PARKED:
        return PARKED_HINT
    if last.state is TeardownStepStatus.FAILED:  # the run raised: it is over, not working
        return FAILED_OUTCOME
    if last.state is not TeardownStepStatus.DONE:
        return None
    if last.step is TeardownStep.ARCHIVE:
        return ARCHIVED_OUTCOME
    return last.message if last.step is None else None


def archive_lines(result: tuple[str, ...] | None) -> tuple[str, ...]:
    """The archived session's summary: the session's result from the chain's records and
    the wallet's transactions (`services.history.result_lines`), once read."""
    return result if result is not None else ("Reading the session's result from the chain…",)


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
    # Read once the session is archived; it updates the summary in place (a recompose would rebuild
    # the dialog under a trader's escape).
    result: reactive[tuple[str, ...] | None] = reactive(None)

    def __init__(
        self, session: str, events: tuple[TeardownEvent, ...] = (), result: tuple[str, ...] | None = None
    ) -> None:
        super().__init__()  # no fixed id: a new run's screen may mount while a replaced one unmounts
        self.session = session
        self._summarising = archived(events)
        self.set_reactive(TeardownScreen.events, events)
        self.set_reactive(TeardownScreen.result, result)

    def compose(self) -> ComposeResult:
        # It scrolls (arrows, page keys) where a small terminal cannot hold the steps and the result.
        with VerticalScroll(id="teardown-dialog", can_focus=True) as dialog:
            dialog.border_title = f"Stop and withdraw · {short_pubkey(self.session)}"
            outcome = run_outcome(self.events)
            dialog.border_subtitle = "escape closes; the run continues" if outcome is None else "escape closes"
            for row in step_rows(self.events):
                yield StepLine(row)
            if outcome is None:
                yield Static("Working… you may close this; the run keeps going.", id="teardown-outcome")
            else:
                yield Static(outcome, id="teardown-outcome", classes="-finished", markup=False)
            if self._summarising:
                yield Static("\n".join(archive_lines(self.result)), id="teardown-summary", markup=False)

    def watch_result(self, result: tuple[str, ...] | None) -> None:
        for summary in self.query("#teardown-summary").results(Static):
            summary.update("\n".join(archive_lines(result)))
        if result is not None:  # the money figures come last: bring them into view
            for dialog in self.query("#teardown-dialog").results(VerticalScroll):
                self.call_after_refresh(dialog.scroll_end, animate=False)

    def watch_events(self) -> None:
        if archived(self.events) and not self._summarising:
            self._summarising = True
            self.refresh(recompose=True)

    def action_close(self) -> None:
        self.dismiss()


def archived(events: tuple[TeardownEvent, ...]) -> bool:
    last = events[-1] if events else None
    return last is not None and last.step is TeardownStep.ARCHIVE and last.state is TeardownStepStatus.DONE
