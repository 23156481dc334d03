"""The cockpit's `:` line: the CLI's `order`, `cancel` and `close`, typed in place.

The line only reads the command; what it starts goes through the same screens as the
keys do (order entry with its live preview, the close and cancel questions), so nothing
is signed without the same preview and confirmation. Up and down walk the history.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.order_grammar import parse_command_line
from rekt_tui.tui.widgets.typed_input import TypedInput


class CommandLineScreen(ModalScreen[None], inherit_bindings=False):
    DEFAULT_CSS = """
    CommandLineScreen { align: left bottom; }
    #command-line { width: 100%; }
    """
    BINDINGS = [
        Binding("escape", "dismiss_none", "Close the command line"),
        Binding("up", "history(-1)", "Previous command", show=False, priority=True),
        Binding("down", "history(1)", "Next command", show=False, priority=True),
    ]

    def __init__(self, run: Callable[[str], None]) -> None:
        """`run` starts what a line asks; the screen is installed once, so it keeps its history."""
        super().__init__(id="command-line-screen")
        self._run = run
        self._history: list[str] = []
        self._at = 0

    def on_screen_resume(self) -> None:
        self._at = len(self._history)
        field = self.query_one("#command-line", Input)
        field.value = ""
        field.focus()

    def compose(self) -> ComposeResult:
        example = ":buy 1.5 SOL · sell ETH $200 --type limit --price 4100 · cancel 3 · close SOL"
        yield TypedInput(id="command-line", placeholder=example)

    @on(Input.Submitted, "#command-line")
    def _submitted(self, event: Input.Submitted) -> None:
        line = event.value.strip()
        try:
            parse_command_line(line)
        except RektError as error:
            self.app.notify(error.message, title="Command line", severity="warning", markup=False)
            return
        if not self._history or self._history[-1] != line:
            self._history.append(line)
        self.dismiss()
        self.app.call_later(self._run, line)  # once this screen is off the stack

    def action_history(self, step: int) -> None:
        if not self._history:
            return
        self._at = max(0, min(len(self._history), self._at + step))
        field = self.query_one("#command-line", Input)
        field.value = self._history[self._at] if self._at < len(self._history) else ""
        field.cursor_position = len(field.value)

    def action_dismiss_none(self) -> None:
        self.dismiss()
