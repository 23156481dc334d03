"""Our screens, widgets and app never reuse a private name of Textual's own classes.

A screen that kept its own `_closing` flag once silenced Textual's flag of that name:
the screen then refused the message that removes it, and dismissing it hung the app.
"""

import ast
from pathlib import Path

from textual.app import App
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

import rekt_tui.tui

TUI = Path(rekt_tui.tui.__file__).parent
TEXTUAL_OBJECTS = (App(), ModalScreen(), DataTable(), Static())


def private_names_we_set() -> dict[str, str]:
    """Every `self._name = ...` and class-level `_name` in the tui package, with where it is."""
    names: dict[str, str] = {}
    for path in TUI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
                    name = target.attr
                elif isinstance(target, ast.Name):
                    name = target.id
                else:
                    continue
                if name.startswith("_") and not name.startswith("__"):
                    names[name] = f"{path.relative_to(TUI)}:{node.lineno}"
    return names


def test_the_scan_finds_our_private_names():
    names = private_names_we_set()
    assert "_dismissing" in names and "_dashboard" in names


def test_no_private_name_shadows_textual():
    clashes = {
        name: where for name, where in private_names_we_set().items()
        if any(hasattr(obj, name) for obj in TEXTUAL_OBJECTS)
    }  # fmt: skip
    assert clashes == {}
