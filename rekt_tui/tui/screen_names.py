"""Names of the screens the app installs, apart from the screens themselves: bindings push
them by name, and naming one must not import it (they are built on first use, after the
first frame; docs/PERFORMANCE.md: cold start)."""

COMMAND_LINE = "command-line"  # the `:` line, one for the app's life so its history outlives each use
MODIFY_ORDER = "modify-order"  # the open orders' `e` and `:modify`
