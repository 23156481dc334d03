"""The bindings that apply right now, read from Textual itself.

Help and the command palette both list what `Screen.active_bindings` reports, so neither
keeps its own copy that could drift from the real keys, a user keymap, or `check_action`.
"""

from dataclasses import dataclass

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen


@dataclass(frozen=True)
class BindingEntry:
    """One action as a user sees it: every key that runs it, and what it does."""

    keys: str
    description: str
    action: str
    node: DOMNode  # where the action runs (app, screen or focused widget)


def binding_entries(screen: Screen) -> tuple[BindingEntry, ...]:
    """Actions available on `screen`, app-wide ones first; keys for the same action are merged."""
    grouped: dict[tuple[int, str, str], list[str]] = {}
    nodes: dict[int, DOMNode] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        group = (id(active.node), binding.action, binding.description)
        nodes[id(active.node)] = active.node
        grouped.setdefault(group, []).append(screen.app.get_key_display(binding))
    entries = [
        BindingEntry(keys=", ".join(keys), description=description, action=action, node=nodes[node_id])
        for (node_id, action, description), keys in grouped.items()
    ]
    # active_bindings runs from the focused widget outwards; people read global keys first.
    return tuple(sorted(entries, key=_scope))


def _scope(entry: BindingEntry) -> int:
    if isinstance(entry.node, App):
        return 0
    return 1 if isinstance(entry.node, Screen) else 2


def scroll_bindings(scope: str, noun: str, home: tuple[str, str], end: tuple[str, str]) -> list[Binding]:
    """Hidden arrow, page, home and end keys for a box that scrolls, each with an id under
    `scope`; `home` and `end` are (id, description) of the keys to either end."""
    return [
        Binding("up", "scroll_up", f"Scroll {noun} up", id=f"{scope}.scroll_up", show=False),
        Binding("down", "scroll_down", f"Scroll {noun} down", id=f"{scope}.scroll_down", show=False),
        Binding("pageup", "page_up", f"{noun.capitalize()} page up", id=f"{scope}.page_up", show=False),
        Binding("pagedown", "page_down", f"{noun.capitalize()} page down", id=f"{scope}.page_down", show=False),
        Binding("home", "scroll_home", home[1], id=f"{scope}.{home[0]}", show=False),
        Binding("end", "scroll_end", end[1], id=f"{scope}.{end[0]}", show=False),
    ]
