"""The TUI reaches the rest of the app only through the services, domain and config types."""

import ast
import sys
from pathlib import Path

import rekt_tui.tui

PACKAGE_DIR = Path(rekt_tui.tui.__file__).parent
ALLOWED_PREFIXES = ("textual", "rich", "rekt_tui.domain", "rekt_tui.services", "rekt_tui.config", "rekt_tui.tui")


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: use absolute imports"
            names.add(node.module or "")
    return names


def _allowed(module: str) -> bool:
    if module.split(".")[0] in sys.stdlib_module_names:
        return True
    return any(module == prefix or module.startswith(prefix + ".") for prefix in ALLOWED_PREFIXES)


def test_tui_imports_stay_inside_its_layer() -> None:
    sources = sorted(PACKAGE_DIR.rglob("*.py"))
    assert len(sources) > 10
    offending = {
        f"{path.relative_to(PACKAGE_DIR)}: {module}"
        for path in sources
        for module in _imported_modules(path)
        if not _allowed(module)
    }
    assert not offending
