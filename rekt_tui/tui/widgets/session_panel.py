"""Where the app stands: the followed wallet live and its last transactions, then cluster,
keystore, registry and wallets.

Recomposed whenever a new status arrives: that happens at launch and on reload, never per
tick, and rebuilding a handful of lines is simpler than patching them. The followed
wallet's lines change with the account feed, so they are one Static updated in place.
"""

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.content import Content
from textual.reactive import reactive, var
from textual.widgets import Static

from rekt_tui.domain.status import ShellStatus
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.tui.formatting import (
    LOADING,
    NO_SESSIONS_HINT,
    cluster_line,
    keystore_line,
    registry_line,
    session_lines,
    session_rows,
)
from rekt_tui.tui.messages import LinkedSession
from rekt_tui.tui.widgets.panel import Panel
from rekt_tui.tui.widgets.recent_transactions import recent_transactions


class SessionPanel(Panel):
    status: reactive[ShellStatus | None] = reactive(None, recompose=True)
    linked: reactive[LinkedSession | None] = var(None)
    account: reactive[AccountSnapshot | None] = var(None)

    def __init__(self) -> None:
        super().__init__("Session", id="session")

    def compose(self) -> ComposeResult:
        live = Static(self._live_text(), id="session-live", markup=False)
        live.display = self.linked is not None
        yield live
        transactions = Static(self._transactions(), id="session-transactions")
        transactions.display = self.linked is not None
        yield transactions
        status = self.status
        if status is None:
            yield Static(LOADING, classes="-muted", markup=False)
            return
        yield Static(cluster_line(status), id="session-cluster", markup=False)
        keystore = status.keystore
        yield Static(
            keystore_line(keystore), id="session-keystore", classes="" if keystore.secure else "-warning", markup=False
        )
        if keystore.problem:
            yield Static(keystore.problem, id="session-keystore-problem", classes="-error", markup=False)
        read_only = status.registry_read_only_reason is not None
        yield Static(
            registry_line(status.registry_read_only_reason),
            id="session-registry",
            classes="-warning" if read_only else "",
            markup=False,
        )
        if status.sessions:
            yield Static(_wallet_table(status), id="session-wallets")
        else:
            yield Static(NO_SESSIONS_HINT, id="session-wallets", classes="-hint", markup=False)

    def watch_linked(self) -> None:
        self._show_live()

    def watch_account(self) -> None:
        self._show_live()

    def _show_live(self) -> None:
        shown = {"#session-live": self._live_text(), "#session-transactions": self._transactions()}
        for selector, content in shown.items():
            for widget in self.query(selector).results(Static):  # none while recomposing
                widget.display = self.linked is not None
                if widget.content != content:
                    widget.update(content, layout=_reshaped(widget.content, content))

    def _transactions(self) -> Content:
        linked = self.linked
        return Content() if linked is None else recent_transactions(linked.recent, linked.explorer_tx_url)

    def _live_text(self) -> str:
        if self.linked is None:
            return ""
        linked = self.linked
        return "\n".join(session_lines(linked.session, linked.lamports, self.account, linked.usdc, linked.labels))


def _reshaped(before: object, after: object) -> bool:
    """Whether new text can move the layout: lines of the same lengths wrap the same way, so
    figures that tick (collateral, balances) repaint in place without a layout pass."""
    return [len(line) for line in str(before).splitlines()] != [len(line) for line in str(after).splitlines()]


def _wallet_table(status: ShellStatus) -> Table:
    table = Table(box=None, padding=(0, 1, 0, 0), expand=False, header_style="bold")
    table.add_column("Wallet", no_wrap=True)
    table.add_column("Label", overflow="ellipsis", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    for row in session_rows(status.sessions):
        table.add_row(*(Text(cell) for cell in row))  # labels are user text, not markup
    return table
