"""Names of the screens the app installs, apart from the screens themselves: bindings push
them by name, and naming one must not import it (they are built on first use, after the
first frame; docs/PERFORMANCE.md: cold start)."""

import sys

COMMAND_LINE = "command-line"  # the `:` line, one for the app's life so its history outlives each use
MODIFY_ORDER = "modify-order"  # the open orders' `e` and `:modify`

ORDER_ENTRY = ("rekt_tui.tui.screens.order_entry", "OrderEntryScreen")  # `b`/`s`, built per use


def is_screen(screen: object, named: tuple[str, str]) -> bool:
    """Whether `screen` is the screen class `named` (module, class) without importing it: a
    screen whose module is not loaded yet has never been opened."""
    module, name = named
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(screen, getattr(loaded, name))
