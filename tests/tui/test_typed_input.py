"""Editing keys act in the order they are typed, even when a burst of keys arrives at once
(a fast typist, a paste, a terminal's single read): `ctrl+a ctrl+k 130` leaves 130."""

import pytest
from textual import events
from textual.app import App, ComposeResult

from rekt_tui.tui.widgets.typed_input import FieldInput
from rekt_tui.tui.widgets.typed_input import TypedInput

BURST = (("ctrl+a", "\x01"), ("ctrl+k", "\x0b"), ("1", "1"), ("3", "3"), ("0", "0"))


class OneField(App[None]):
    def __init__(self, make) -> None:
        super().__init__()
        self._make = make

    def compose(self) -> ComposeResult:
        yield self._make()


FIELDS = {
    "typed": lambda: TypedInput("150.000000"),
    "order field": lambda: FieldInput("150.000000", restrict=r"[-0-9.]*"),  # letters left to the form's keys
}


@pytest.mark.parametrize("make", FIELDS.values(), ids=FIELDS.keys())
async def test_a_burst_of_editing_keys_and_digits_is_applied_in_order(make):
    app = OneField(make)
    async with app.run_test() as pilot:
        field = app.query_one(TypedInput)
        field.focus()
        await pilot.pause()
        field.cursor_position = len(field.value)
        for key, character in BURST:  # all queued before the first is handled
            app.post_message(events.Key(key, character))
        await pilot.pause(0.2)
        assert field.value == "130"
        for key, character in (("1", "1"), ("left", None), ("backspace", None), ("9", "9")):
            app.post_message(events.Key(key, character))
        await pilot.pause(0.2)
        assert field.value == "1391"  # left, then backspace took the 0, then the 9 went where it was
