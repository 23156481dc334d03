"""Inputs whose own editing keys act in the order they are typed, and the forms' number fields.

Textual inserts a typed character where the key lands, in the focused input, but resolves a key's
binding only once the key has bubbled from the input up to the app. In a burst (a fast typist, a
paste, a terminal that delivers `ctrl+a ctrl+k 130` in one read) the characters went in first and
the editing keys ran after them: the field ended empty, or "30" for "130", and an order once went
out at $30. Here the input's own bindings run as their key arrives, in line with the characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import Input


def _actions(bindings: list[BindingType]) -> dict[str, str]:
    """Each key of `bindings` and the action it runs."""
    found: dict[str, str] = {}
    for binding in bindings:
        if isinstance(binding, Binding):
            for key in binding.key.split(","):
                found[key.strip()] = binding.action
    return found


class TypedInput(Input):
    EDITING_KEYS: ClassVar[dict[str, str]] = _actions(Input.BINDINGS)

    async def _on_key(self, event: events.Key) -> None:
        action = self.EDITING_KEYS.get(event.key)
        if action is None:
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()
        await self.run_action(action)


class FieldInput(TypedInput):
    """An input that leaves the keys it would refuse (letters, in a number field) to the
    form's direct keys, so they work from any field."""

    @staticmethod
    def all_but(bindings: Iterable[Binding]) -> str:
        """A `restrict` taking every character but the form's one-letter keys: what else is
        typed is read as typed, and refused in words if it is no amount, never silently cut."""
        return f"[^{re.escape(''.join(sorted({b.key for b in bindings if len(b.key) == 1})))}]*"

    def check_consume_key(self, key: str, character: str | None) -> bool:
        allowed = self.restrict is None or (character is not None and re.fullmatch(self.restrict, character))
        return bool(super().check_consume_key(key, character) and allowed)
