"""The cockpit's shape: a thin app, composition rather than mixins, small modules, each handler once.

A mixin spreads one class over several files, and a handler defined in two of them runs
only because Textual walks the MRO; these checks keep that from coming back.
"""

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import rekt_tui.tui
from rekt_tui.tui.app import RektApp

TUI = Path(rekt_tui.tui.__file__).parent
APP_LIMIT = 200
MODULE_LIMIT = 400


def tui_classes() -> list[type]:
    classes = []
    for info in pkgutil.walk_packages(rekt_tui.tui.__path__, "rekt_tui.tui."):
        module = importlib.import_module(info.name)
        classes += [c for _, c in inspect.getmembers(module, inspect.isclass) if c.__module__ == module.__name__]
    return classes


def foreign_bases(cls: type) -> list[type]:
    """The bases of `cls` that are not Textual's (nor `object`)."""
    return [base for base in cls.__bases__ if base is not object and not base.__module__.startswith("textual")]


def test_the_scan_sees_the_app_and_its_screens():
    names = {cls.__name__ for cls in tui_classes()}
    assert {"RektApp", "DashboardScreen", "SessionController", "LiveFeeds"} <= names


def test_no_class_under_tui_mixes_in_more_than_one_base_of_ours():
    mixed = {cls.__qualname__: [b.__name__ for b in foreign_bases(cls)] for cls in tui_classes()}
    assert {name: bases for name, bases in mixed.items() if len(bases) > 1} == {}
    assert foreign_bases(RektApp) == []  # the app is a Textual App and nothing else


def test_the_app_module_stays_under_200_lines():
    lines = len(Path(inspect.getsourcefile(RektApp)).read_text().splitlines())
    assert lines < APP_LIMIT, f"app.py has {lines} lines; move behaviour to the module it belongs in"


def test_every_module_under_tui_stays_small():
    sizes = {str(path.relative_to(TUI)): len(path.read_text().splitlines()) for path in TUI.rglob("*.py")}
    assert {name: lines for name, lines in sizes.items() if lines > MODULE_LIMIT} == {}


def test_no_class_under_tui_defines_a_method_twice():
    twice = []
    for path in TUI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                names = [f.name for f in node.body if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)]
                twice += [f"{path.name}:{node.name}.{n}" for n in set(names) if names.count(n) > 1]
    assert twice == []
