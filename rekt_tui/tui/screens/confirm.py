"""The one confirmation modal every action that signs, spends or ends something goes through.

It answers True or False and nothing else: the caller decides what a yes starts, so the
same dialog serves starting to trade, placing an order, stop-and-withdraw and quitting.
With `typed`, the user must type that word (for actions that are hard to undo); without
it, `y` confirms and `n` or escape declines.
"""

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from rekt_tui.tui.widgets.typed_input import TypedInput


class ConfirmScreen(ModalScreen[bool], inherit_bindings=False):
    BINDINGS = [
        Binding("y", "answer(True)", "Confirm", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "Cancel", id="confirm.no"),
    ]

    def __init__(self, title: str, question: str, *, typed: str | None = None) -> None:
        super().__init__(id="confirm")
        self.title_text = title
        self.question = question
        self.typed = typed

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog") as dialog:
            dialog.border_title = self.title_text
            yield Static(self.question, id="confirm-question", markup=False)
            if self.typed is None:
                dialog.border_subtitle = "y confirms · n or escape cancels"
            else:
                dialog.border_subtitle = "enter confirms · escape cancels"
                yield Static(f"Type {self.typed} to confirm:", id="confirm-prompt", markup=False)
                yield TypedInput(id="confirm-input", placeholder=self.typed)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # With a typed word, the word confirms; `y` is only a letter of it.
        return not (self.typed is not None and action == "answer" and parameters == (True,))

    def action_answer(self, confirmed: bool) -> None:
        self.dismiss(confirmed)

    @on(Input.Submitted, "#confirm-input")
    def _typed(self, event: Input.Submitted) -> None:
        if event.value.strip() == self.typed:
            self.dismiss(True)
        else:
            self.query_one("#confirm-prompt", Static).update(f"That is not {self.typed}; type {self.typed} to confirm:")
