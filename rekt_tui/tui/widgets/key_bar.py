"""The dashboard's footer: the trading keys first, under short names, so they fit at 80 columns.

Textual's footer lists every shown binding in the order the app and screen declare them,
under the long descriptions the help screen wants; at 120 columns that left the trading
keys off the edge. This one lists `FOOTER_KEYS` in that order, then as many of `MORE_KEYS`
as the width has room for, and still asks `check_action` (through `active_bindings`), so a
key that does not apply now is not shown. Everything else is in help (`?`) and the palette.
"""

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# action (or binding id) -> the footer's name for it, in the order people reach for them.
FOOTER_KEYS = {
    "buy": "Buy",
    "sell": "Sell",
    "close_position": "Close",
    "app.reverse_position": "Rev",  # `v`, by its binding id (its action is the close's); 80 columns need the short name
    "cancel_order": "Cancel",
    "cancel_all_orders": "Cancel all",
    "stop_and_withdraw": "Stop",  # everything out and archived; `$` withdraws part
    "next_market": "Market",
    "minimize": "Restore",
    "session_setup": "Wallet",
    "checklist": "Checklist",
    "help": "Help",
    "quit": "Quit",
}
# binding id -> name: shown after the trading keys, in this order, while the width has room.
MORE_KEYS = {
    "orders.modify": "Modify",
    "dashboard.collateral": "Collateral",
    "app.command_line": "Command",
    "dashboard.history": "History",
    "app.market": "Chart",
}
LAST_ACTIONS = ("help", "quit")  # kept at the right-hand end, after any of `MORE_KEYS`

SETUP_ACTIONS = frozenset({"session_setup", "checklist"})
Shown = tuple[Binding, bool, str]
KeyDisplay = Callable[[Binding], str]  # the app's `get_key_display`


def footer_bindings(active: list[tuple[Binding, bool]], width: int, display: KeyDisplay) -> list[Shown]:
    """(binding, enabled, label) for the footer: the first binding of each `FOOTER_KEYS` action,
    in its order; the setup keys only until the trading keys apply, which then need the room;
    then those of `MORE_KEYS` that fit in `width` cells (keys shown by `display`); help and quit last."""
    first: dict[str, tuple[Binding, bool]] = {}
    for binding, enabled in active:
        for name in (binding.action, binding.id):
            if name in FOOTER_KEYS or name in MORE_KEYS:
                first.setdefault(name, (binding, enabled))
    trading = "buy" in first or "sell" in first
    core = [
        (*first[action], label)
        for action, label in FOOTER_KEYS.items()
        if action in first and not (trading and action in SETUP_ACTIONS)
    ]
    shown = [entry for entry in core if entry[0].action not in LAST_ACTIONS]
    last = [entry for entry in core if entry[0].action in LAST_ACTIONS]
    for name, label in MORE_KEYS.items():
        extra: Shown | None = (*first[name], label) if name in first else None
        if extra is not None and footer_width([*shown, extra, *last], display) <= width:
            shown.append(extra)
    return shown + last


def footer_width(shown: list[Shown], display: KeyDisplay) -> int:
    """Cells the compact footer takes: each key, a space, its name, and a space before the next."""
    return sum(len(display(binding)) + 1 + len(label) + 1 for binding, _, label in shown)


class KeyBar(Footer):
    """Composed with the screen's keys from the start (Textual's footer waits for the first
    bindings refresh, a frame later), and composed again only when what it shows changes:
    a refresh of the bindings or a resize that leaves the same keys costs nothing."""

    def __init__(self) -> None:
        super().__init__(id="key-bar", compact=True, show_command_palette=False)
        self.set_reactive(Footer._bindings_ready, True)
        self._keys_composed: list[tuple[str, str, bool, str]] | None = None

    def compose(self) -> ComposeResult:
        shown = self._shown()
        self._keys_composed = _identity(shown)
        self.styles.grid_size_columns = len(shown)
        for binding, enabled, label in shown:
            key = FooterKey(binding.key, self.app.get_key_display(binding), label, binding.action, disabled=not enabled)
            yield key.data_bind(compact=Footer.compact)

    def bindings_changed(self, screen: Screen) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    def on_resize(self) -> None:
        self.call_after_refresh(self._recompose_if_changed)  # a wider terminal has room for more keys

    def _shown(self) -> list[Shown]:
        active = [(binding, enabled) for (_, binding, enabled, _) in self.screen.active_bindings.values()]
        return footer_bindings(active, self.app.size.width, self.app.get_key_display)

    async def _recompose_if_changed(self) -> None:
        if self.is_attached and _identity(self._shown()) != self._keys_composed:
            await self.recompose()


def _identity(shown: list[Shown]) -> list[tuple[str, str, bool, str]]:
    """What a composed footer shows: each key, its action, whether it applies, its name."""
    return [(binding.key, binding.action, enabled, label) for binding, enabled, label in shown]
