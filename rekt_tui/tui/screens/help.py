"""The key reference, as a modal over whatever screen asked for it.

It is handed the bindings that apply on that screen (see `tui.bindings`), so it lists the
real keys, including a user's keymap, and nothing `check_action` has hidden.
"""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from rekt_tui.tui.bindings import BindingEntry, scroll_bindings


class KeyList(VerticalScroll, inherit_bindings=False):
    """The help's box: a short terminal shows part of the list, and these keys move it."""

    BINDINGS = scroll_bindings("help", "keys", ("first", "First keys"), ("last", "Last keys"))


class HelpScreen(ModalScreen[None], inherit_bindings=False):
    BINDINGS = [Binding("escape,question_mark", "close", "Close help", id="help.close")]
    AUTO_FOCUS = "#help-dialog"

    def __init__(self, entries: tuple[BindingEntry, ...]) -> None:
        super().__init__(id="help")
        self.entries = entries

    def compose(self) -> ComposeResult:
        with KeyList(id="help-dialog", can_focus=True) as dialog:
            dialog.border_title = "Keys"
            dialog.border_subtitle = "escape or ? closes"
            yield Static(_key_lines(self.entries), id="help-keys")

    def action_close(self) -> None:
        self.dismiss()


def _key_lines(entries: tuple[BindingEntry, ...]) -> Content:
    width = max((len(entry.keys) for entry in entries), default=0)
    lines = [Content.assemble((entry.keys.ljust(width), "bold $accent"), "  ", entry.description) for entry in entries]
    return Content("\n").join(lines)
