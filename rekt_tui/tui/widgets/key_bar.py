"""The dashboard's footer: the trading keys first, under short names, so they fit at 80 columns.

Textual's footer lists every shown binding in the order the app and screen declare them,
under the long descriptions the help screen wants; at 120 columns that left the trading
keys off the edge. This one lists only `FOOTER_KEYS`, in that order, and still asks
`check_action` (through `active_bindings`), so a key that does not apply now is not shown.
Everything else is in help (`?`) and the command palette.
"""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# action -> the footer's name for it, in the order people reach for them.
FOOTER_KEYS = {
    "buy": "Buy",
    "sell": "Sell",
    "close_position": "Close",
    "cancel_order": "Cancel",
    "cancel_all_orders": "Cancel all",
    "stop_and_withdraw": "Withdraw",
    "next_market": "Market",
    "minimize": "Restore",
    "session_setup": "Wallet",
    "checklist": "Checklist",
    "help": "Help",
    "quit": "Quit",
}


SETUP_ACTIONS = frozenset({"session_setup", "checklist"})


def footer_bindings(active: list[tuple[Binding, bool]]) -> list[tuple[Binding, bool, str]]:
    """(binding, enabled, label) for the footer: the first binding of each `FOOTER_KEYS` action,
    in its order; the setup keys only until the trading keys apply, which then need the room."""
    first: dict[str, tuple[Binding, bool]] = {}
    for binding, enabled in active:
        if binding.action in FOOTER_KEYS:
            first.setdefault(binding.action, (binding, enabled))
    trading = "buy" in first or "sell" in first
    return [
        (*first[action], label)
        for action, label in FOOTER_KEYS.items()
        if action in first and not (trading and action in SETUP_ACTIONS)
    ]


class KeyBar(Footer):
    def __init__(self) -> None:
        super().__init__(id="key-bar", compact=True, show_command_palette=False)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        active = [(binding, enabled) for (_, binding, enabled, _) in self.screen.active_bindings.values()]
        shown = footer_bindings(active)
        self.styles.grid_size_columns = len(shown)
        for binding, enabled, label in shown:
            key = FooterKey(binding.key, self.app.get_key_display(binding), label, binding.action, disabled=not enabled)
            yield key.data_bind(compact=Footer.compact)
