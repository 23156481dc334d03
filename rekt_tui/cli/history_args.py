"""The arguments of `rekt-tui history` and `rekt-tui report`."""

from collections.abc import Callable


def add_history_commands(commands, command: Callable, session_option: Callable) -> None:
    history = command(commands, "history", "list a session's fills, funding, settlements and deposits from the chain")
    scope = history.add_mutually_exclusive_group()
    session_option(scope)
    scope.add_argument("--all", action="store_true", help="every session of this cluster")
    history.add_argument("--market", metavar="M", help="only this market's records (e.g. SOL-PERP)")
    output = history.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON (native integers)")
    output.add_argument("--csv", action="store_true", help="print CSV (columns in the README)")
    report = command(commands, "report", "a session's result: PnL, fees, funding, volume, and the accounting identity")
    session_option(report, "the only active one, else the one created last")
    report.add_argument("--json", action="store_true", help="print JSON (native integers)")
