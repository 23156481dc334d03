"""Session setup: pick or create the session wallet, then see where to send funds.

The address is the one thing a user must copy exactly, so it gets a line of its own and
a copy key. Beside it, when the terminal has room, is its QR code for a phone wallet to
scan; a smaller terminal shows a one-line note instead, so the screen still works at 80×24.
The balance refreshes while the screen is open (its `SetupFacts` reader); on
localnet the airdrop keys fund the wallet from the faucet. Choosing a wallet and the
airdrops go up to the app, whose workers outlive this screen; the screen follows the
app's linked session and running step, and the dashboard's shell status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from rekt_tui.domain.money import format_sol
from rekt_tui.domain.session import SessionRecord, SessionStatus
from rekt_tui.domain.status import ShellStatus
from rekt_tui.domain.venue_labels import DRIFT, VenueLabels
from rekt_tui.services.models import Funding
from rekt_tui.tui.formatting import keystore_line
from rekt_tui.tui.session_messages import SessionChosen, SessionDataLoaded, StepRequested
from rekt_tui.tui.venue_screens import venue_variant
from rekt_tui.tui.widgets.qr import QrCode
from rekt_tui.tui.widgets.screen_footer import ScreenFooter
from rekt_tui.tui.widgets.setup_facts import SetupFacts

if TYPE_CHECKING:
    from rekt_tui.tui.session_controller import SessionController

NEW_WALLET = "new"
QR_SHOWN_NOTE = "Scan the QR code, or copy the address with y, and send SOL to it."
QR_HIDDEN_NOTE = "Enlarge the terminal to see a QR code, or copy the address with y."
# The details beside the QR code need this many columns for the address line not to wrap.
DETAILS_MIN_WIDTH = 50


def venue_bindings(labels: VenueLabels) -> list[Binding]:
    """The key that airdrops the venue's quote."""
    return [Binding("u", "airdrop('fund_usdc')", f"Airdrop 1,000 {labels.quote}", id="setup.airdrop_usdc")]


class SetupScreen(Screen[None], inherit_bindings=False):
    AUTO_FOCUS = "#setup-wallets"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="setup.back"),
        Binding("n", "new_wallet", "New session wallet", id="setup.new_wallet"),
        Binding("y", "copy_address", "Copy address", id="setup.copy_address"),
        Binding("a", "airdrop('fund_sol')", "Airdrop 1 SOL", id="setup.airdrop_sol"),
        *venue_bindings(DRIFT),
    ]

    status: reactive[ShellStatus | None] = reactive(None)
    session: reactive[SessionRecord | None] = reactive(None)
    funding: reactive[Funding | None] = reactive(None)
    busy_step: reactive[str | None] = reactive(None)

    def __init__(
        self, status: ShellStatus | None, session: SessionRecord | None, sessions: SessionController | None = None
    ) -> None:
        """`sessions` reads the balance; without one the screen shows only what it was given."""
        super().__init__(id="setup")
        self._sessions = sessions
        self.set_reactive(SetupScreen.status, status)
        self.set_reactive(SetupScreen.session, session)

    def compose(self) -> ComposeResult:
        with Horizontal(id="setup-body"):
            with Vertical(id="setup-details"):
                yield Static(id="setup-keystore", markup=False)
                yield OptionList(id="setup-wallets")
                yield Static(id="setup-address", markup=False)
                yield Static(id="setup-qr-note", markup=False)
                yield Static(id="setup-balance", markup=False)
            yield QrCode(id="setup-qr")
        yield SetupFacts(self._sessions, wanted=lambda: self.session is not None)
        yield ScreenFooter()

    def on_mount(self) -> None:
        self.query_one("#setup-body").border_title = "Session wallet"
        self._show_status()
        self._show_session()
        if self._sessions is not None:
            cockpit = self.app.get_default_screen()  # the dashboard keeps the status and the session
            self.watch(cockpit, "status", self._status_changed, init=False)
            self.watch(cockpit, "session", self._session_changed, init=False)

    def on_resize(self, event: Resize) -> None:
        self.call_after_refresh(self._fit_qr)

    def _status_changed(self, status: ShellStatus | None) -> None:
        self.status = status

    def _session_changed(self, session: SessionRecord | None) -> None:
        self.session = session
        self.query_one(SetupFacts).read()

    def on_setup_facts_busy_changed(self, message: SetupFacts.BusyChanged) -> None:
        self.busy_step = message.step

    def on_session_data_loaded(self, message: SessionDataLoaded) -> None:
        self.funding = message.funding

    def watch_status(self) -> None:
        if self.is_mounted:
            self._show_status()

    def watch_session(self) -> None:
        if self.is_mounted:
            self._highlight_chosen()
            self._show_session()

    def watch_funding(self) -> None:
        if self.is_mounted:
            self._show_session()

    def watch_busy_step(self) -> None:
        if self.is_mounted:
            self._show_session()
            self.refresh_bindings()

    def _show_status(self) -> None:
        status = self.status
        keystore = "Keystore: —" if status is None else keystore_line(status.keystore)
        self.query_one("#setup-keystore", Static).update(keystore)
        wallets = self.query_one("#setup-wallets", OptionList)
        wallets.clear_options()
        sessions = () if status is None else status.sessions
        wallets.add_options(wallet_options(sessions))
        self._highlight_chosen()

    def _highlight_chosen(self) -> None:
        wallets = self.query_one("#setup-wallets", OptionList)
        ids = [option.id for option in wallets.options]
        if self.session is not None and self.session.pubkey in ids:
            wallets.highlighted = ids.index(self.session.pubkey)
        elif ids:  # Enter acts at once: on the first wallet, or on "new" when there is none
            wallets.highlighted = 0

    def _show_session(self) -> None:
        session = self.session
        address = self.query_one("#setup-address", Static)
        balance = self.query_one("#setup-balance", Static)
        # The bare base58 address, as wallets show it on their own Receive screens and as an
        # address field (a wallet's Send, an exchange's withdrawal) takes it from a scan. A
        # Solana Pay link, solana:<address>, adds nothing without an amount, and a scanner that
        # expects an address may reject it.
        self.query_one("#setup-qr", QrCode).text = "" if session is None else session.pubkey
        self._fit_qr()
        if session is None:
            address.update("Choose a session wallet above, or press n to create one.")
            balance.update("")
            return
        address.update(session.pubkey)
        balance.update(balance_line(self.funding, self.busy_step))

    def _fit_qr(self) -> None:
        """The QR code only when all of it fits beside the details; otherwise a note."""
        qr = self.query_one("#setup-qr", QrCode)
        body = self.query_one("#setup-body").size
        width, height = qr.cells
        fits = body.width >= DETAILS_MIN_WIDTH + qr.styles.margin.width + width and body.height >= height
        has_session = self.session is not None
        qr.display = has_session and fits
        note = self.query_one("#setup-qr-note", Static)
        note.display = has_session
        note.update(QR_SHOWN_NOTE if fits else QR_HIDDEN_NOTE)

    @on(OptionList.OptionSelected, "#setup-wallets")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.post_message(SessionChosen(None if event.option_id == NEW_WALLET else event.option_id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "copy_address":
            return self.session is not None
        if action == "airdrop":
            return self.session is not None and self.app.services.settings.cluster == "localnet" and not self.busy_step
        return True

    def action_new_wallet(self) -> None:
        self.post_message(SessionChosen(None))

    def action_copy_address(self) -> None:
        self.app.copy_to_clipboard(self.session.pubkey)
        self.notify("Address copied to the clipboard.", timeout=3)

    def action_airdrop(self, step: str) -> None:
        self.post_message(StepRequested(step))


def wallet_options(sessions: tuple[SessionRecord, ...]) -> list[Option]:
    """Active wallets can be chosen; archived ones are listed elsewhere (recovery, sweep)."""
    options = [
        Option(f"{s.pubkey}  {s.label}".rstrip(), id=s.pubkey) for s in sessions if s.status is SessionStatus.ACTIVE
    ]
    return [*options, Option("+ New session wallet", id=NEW_WALLET)]


def balance_line(funding: Funding | None, busy_step: str | None) -> str:
    if busy_step is not None:
        return "Waiting for the transaction to confirm…"
    if funding is None:
        return "Balance: reading the chain…"
    mark = "✓ funded" if funding.funded else "not funded yet"
    return f"Balance {format_sol(funding.wallet_lamports)}  {mark}\n{funding.detail}"


def setup_screen(
    labels: VenueLabels, status: ShellStatus | None, session: SessionRecord | None, sessions: SessionController | None
) -> SetupScreen:
    """The setup screen for a venue: its airdrop key names the venue's quote."""
    return venue_variant(SetupScreen, venue_bindings, labels)(status, session, sessions)
