"""The keystore imports only the stdlib, keyring (and its cryptfile plugin), solders and the domain."""

import ast
import sys
from pathlib import Path

import rekt_tui.keystore

PACKAGE_DIR = Path(rekt_tui.keystore.__file__).parent
ALLOWED_PREFIXES = ("keyring", "keyrings.cryptfile", "solders", "rekt_tui.domain", "rekt_tui.keystore")


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


def test_keystore_imports_stay_inside_its_layer() -> None:
    sources = sorted(PACKAGE_DIR.glob("*.py"))
    assert sources
    offending = {
        f"{path.name}: {module}" for path in sources for module in _imported_modules(path) if not _allowed(module)
    }
    assert not offending
