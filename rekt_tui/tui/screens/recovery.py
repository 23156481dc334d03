"""The blocking recovery banner: sessions that still hold funds, orders or positions.

It covers the dashboard until every listed session is dealt with, because trading on
top of a half-finished teardown is how money gets lost. The screen only displays and
asks: recover and mark resolved go up as messages for the app to run; resume is a
choice made here (the session just goes back to trading). A session read without its
key (a locked keyring) is shown with its balances but offers nothing that signs.
"""

from datetime import timezone

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Static

from rekt_tui.domain.money import format_sol, format_usd
from rekt_tui.services.models import RecoveryItem, SuggestedAction
from rekt_tui.tui.formatting import short_pubkey
from rekt_tui.tui.widgets.screen_footer import ScreenFooter

INTRO = "These sessions still hold money or exposure on chain. Deal with each before trading."


def holdings_line(item: RecoveryItem, venue: str = "Drift") -> str:
    """What the chain shows for the session, in one line (`venue`: the name its collateral is in)."""
    parts = [f"wallet {format_sol(item.sol_lamports)}", f"{venue} {format_usd(item.collateral)}"]
    parts.append(f"{item.positions} position{'s' if item.positions != 1 else ''}")
    parts.append(f"{item.open_orders} order{'s' if item.open_orders != 1 else ''}")
    if item.unsettled_pnl:
        parts.append(f"unsettled {format_usd(item.unsettled_pnl)}")
    if item.borrowed:
        parts.append("borrowing")
    return " • ".join(parts)


def advice(item: RecoveryItem) -> str:
    if item.key_problem:
        return f"Read-only, nothing can be signed: {item.key_problem}"
    if item.action is SuggestedAction.RECOVER and item.parked:
        return f"The last stop parked: {item.parked} Recover (r) tries again."
    if item.action is SuggestedAction.RESUME and not (item.positions or item.open_orders):
        return "Money in the account, no positions or orders: resume (u) trading it, or recover (r) to withdraw it."
    return {
        SuggestedAction.RECOVER: "A stop was interrupted: recover (r) finishes it.",
        SuggestedAction.RESUME: "Open exposure: resume (u) trading it, or recover (r) to close everything.",
        SuggestedAction.MARK_RESOLVED: "The chain shows nothing left: mark resolved (m).",
    }[item.action]


def item_text(item: RecoveryItem, selected: bool, venue: str = "Drift") -> Content:
    session = item.session
    since = item.since.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    pointer = "▶ " if selected else "  "
    return Content.assemble(
        (pointer, "bold $accent"),
        (f"{session.label} {short_pubkey(session.pubkey)}", "bold"),
        (f"  since {since}\n", "$text-muted"),
        f"  {holdings_line(item, venue)}\n",
        (f"  {advice(item)}", "$text-warning" if item.key_problem else "$text-muted"),
    )


class RecoveryScreen(ModalScreen[None], inherit_bindings=False):
    BINDINGS = [
        Binding("down,j", "move(1)", "Next session", id="recovery.next", show=False),
        Binding("up,k", "move(-1)", "Previous session", id="recovery.previous", show=False),
        Binding("r", "recover", "Recover (stop and withdraw)", id="recovery.recover"),
        Binding("u", "resume", "Resume trading", id="recovery.resume"),
        Binding("m", "mark_resolved", "Mark resolved", id="recovery.mark_resolved"),
        # The banner blocks the cockpit; when recovering cannot succeed yet, quitting must still be in reach.
        Binding("q", "app.quit", "Quit", id="recovery.quit"),
    ]

    class Recover(Message):
        """Intent: run stop-and-withdraw for this session now."""

        def __init__(self, pubkey: str) -> None:
            super().__init__()
            self.pubkey = pubkey

    class MarkResolved(Message):
        """Intent: close the books of this session (the service refuses while the chain holds funds)."""

        def __init__(self, pubkey: str) -> None:
            super().__init__()
            self.pubkey = pubkey

    items: reactive[tuple[RecoveryItem, ...]] = reactive((), recompose=True)
    selected: reactive[int] = reactive(0, recompose=True)

    def __init__(self, items: tuple[RecoveryItem, ...], venue: str = "Drift") -> None:
        super().__init__(id="recovery")
        self._venue = venue
        self._resumed: set[str] = set()
        self._dismissing = False
        self.set_reactive(RecoveryScreen.items, self._pending(items))

    def compose(self) -> ComposeResult:
        with Vertical(id="recovery-dialog") as dialog:
            dialog.border_title = "Recovery needed"
            yield Static(INTRO, id="recovery-intro")
            for index, item in enumerate(self.items):
                yield Static(item_text(item, index == self.selected, self._venue), classes="recovery-item")
        yield ScreenFooter()

    def show(self, items: tuple[RecoveryItem, ...]) -> None:
        """New reconciliation results; sessions the user chose to resume stay dismissed."""
        self.items = self._pending(items)

    def _pending(self, items: tuple[RecoveryItem, ...]) -> tuple[RecoveryItem, ...]:
        return tuple(item for item in items if item.needs_recovery and item.session.pubkey not in self._resumed)

    def watch_items(self, items: tuple[RecoveryItem, ...]) -> None:
        self.selected = min(self.selected, max(len(items) - 1, 0))
        self.refresh_bindings()
        self._close_when_settled()

    def on_screen_resume(self) -> None:
        self._close_when_settled()

    def _close_when_settled(self) -> None:
        """Nothing left to deal with: step aside, once, and only from the top of the stack.

        Not `is_current`: that is also true under a modal (a recover's progress screen),
        and dismissing from there would pop the progress screen instead of this one.
        """
        if not self.items and self.app.screen is self and not self._dismissing:
            self._dismissing = True
            self.dismiss()

    @property
    def current(self) -> RecoveryItem | None:
        return self.items[self.selected] if self.items else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        item = self.current
        signable = item is not None and item.key_problem is None
        if action == "recover":
            return signable and item.action in (SuggestedAction.RECOVER, SuggestedAction.RESUME)
        if action == "resume":
            return signable and item.action is SuggestedAction.RESUME
        if action == "mark_resolved":
            return item is not None and item.action is SuggestedAction.MARK_RESOLVED
        return True

    def action_move(self, step: int) -> None:
        if self.items:
            self.selected = (self.selected + step) % len(self.items)
            self.refresh_bindings()

    def action_recover(self) -> None:
        if self.current is not None:
            self.post_message(self.Recover(self.current.session.pubkey))

    def action_mark_resolved(self) -> None:
        if self.current is not None:
            self.post_message(self.MarkResolved(self.current.session.pubkey))

    def action_resume(self) -> None:
        if self.current is not None:
            self._resumed.add(self.current.session.pubkey)
            self.show(self.items)
