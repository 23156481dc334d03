"""Argument parsing. Global options are accepted before or after the command."""

import argparse
from pathlib import Path

from rekt_tui import __version__
from rekt_tui.cli.history_args import add_history_commands
from rekt_tui.cli.market_args import add_market_commands
from rekt_tui.cli.trading_args import add_trading_commands, session_option
from rekt_tui.domain.errors import UsageError
from rekt_tui.domain.text import control_characters


def _global_options(parser: argparse.ArgumentParser, *, top_level: bool) -> None:
    # Sub-parsers must not overwrite a value given before the command, hence SUPPRESS.
    default = None if top_level else argparse.SUPPRESS
    group = parser.add_argument_group("global options")
    group.add_argument("--config", type=Path, metavar="PATH", default=default, help="settings file (TOML)")
    group.add_argument("--cluster", choices=["localnet", "devnet", "mainnet"], default=default, help="cluster to use")
    group.add_argument(
        "--data-dir", type=_data_dir, metavar="DIR", default=default, help="registry, logs and localnet ledger"
    )
    group.add_argument(
        "--mainnet", action="store_true", default=False if top_level else argparse.SUPPRESS,
        help="use mainnet (real money); required to opt in",
    )


def _data_dir(text: str) -> Path:
    # Path("") is the current directory: an empty value must not quietly mean "here".
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path names no directory; give one or leave --data-dir out")
    return Path(text).expanduser()


def _label(text: str) -> str:
    # Escape sequences in a label would repaint the terminal of whoever lists wallets.
    found = control_characters(text)
    if found:
        codes = ", ".join(sorted({f"U+{ord(ch):04X}" for ch in found}))
        raise argparse.ArgumentTypeError(f"a label must be plain text, without control characters ({codes})")
    return text


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65534:  # the websocket takes port + 1
        raise argparse.ArgumentTypeError(f"port {port} is out of range; pick one between 1 and 65534")
    return port


class _Parser(argparse.ArgumentParser):
    """Argument errors become our one-sentence UsageError instead of a usage dump."""

    def error(self, message: str):
        command = self.prog.removeprefix("rekt-tui").strip()
        raise UsageError(f"{command + ': ' if command else ''}{message}; see `{self.prog} --help`.")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rekt-tui",
        description=(
            "Trade perpetuals on Drift or its relaunch (Velocity) from a disposable session wallet. "
            "With no command, opens the cockpit."
        ),
    )
    parser.add_argument("--version", action="version", version=f"rekt-tui {__version__}")
    _global_options(parser, top_level=True)
    # Before the command only: `localnet` has a `--venue` of its own (the program a fresh ledger runs).
    parser.add_argument(
        "--venue", dest="profile_venue", choices=["drift", "velocity"], default=None,
        help="venue of the chosen cluster's profile: drift (the original program) or velocity (its relaunch)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(parent, name: str, help_text: str) -> argparse.ArgumentParser:
        sub = parent.add_parser(name, help=help_text, description=help_text)
        _global_options(sub, top_level=False)
        return sub

    wallet = command(commands, "wallet", "create, list, show, import and export session wallets")
    wallet_commands = wallet.add_subparsers(dest="wallet_command", metavar="ACTION", required=True)
    new = command(wallet_commands, "new", "create a session wallet whose key lives in the keystore")
    new.add_argument("--label", type=_label, default="", help="a name to recognise it by")
    new.add_argument("--json", action="store_true", help="print JSON")
    listing = command(wallet_commands, "list", "list this cluster's session wallets and whether their keys are present")
    listing.add_argument("--json", action="store_true", help="print JSON")
    show = command(wallet_commands, "show", "show one session wallet")
    show.add_argument("pubkey", metavar="PUBKEY")
    show.add_argument("--json", action="store_true", help="print JSON")
    imported = command(wallet_commands, "import", "adopt a solana-keygen JSON key file as a session wallet")
    imported.add_argument("file", type=Path, metavar="FILE")
    imported.add_argument("--label", type=_label, default="", help="a name to recognise it by")
    export = command(wallet_commands, "export", "write a session wallet's key as solana-keygen JSON (mode 0600)")
    export.add_argument("pubkey", metavar="PUBKEY")
    export.add_argument("file", type=Path, metavar="FILE")

    localnet = command(commands, "localnet", "run the embedded localnet in the foreground, or start, stop or check it")
    localnet.add_argument(
        "--port", type=_port, help="JSON-RPC port; websocket is port+1 (default: from the localnet profile)"
    )
    localnet.add_argument("--dlob-port", type=_port, help="DLOB API port (default: from the localnet profile)")
    localnet.add_argument("--slot-ms", type=int, default=400, help="slot length in milliseconds (default 400)")
    localnet.add_argument("--seed", type=int, default=0, help="seed of a fresh ledger's prices and makers (default 0)")
    localnet.add_argument("--fresh", action="store_true", help="discard the persisted ledger and start from genesis")
    localnet.add_argument("--oracle-replay", type=Path, metavar="FILE", help="drive oracle prices from a CSV file")
    localnet.add_argument("--fault", action="append", default=[], metavar="SPEC", help="inject a fault, e.g. http429=0.3")
    localnet.add_argument(
        "--venue", choices=["drift", "velocity"], help="program a fresh ledger runs (default: the localnet profile's venue)"
    )
    localnet.add_argument(
        "--activation-delay-slots", type=int, default=0, metavar="N",
        help="velocity: slots a resting order waits before takers can match it, unless its placer says (default 0)",
    )  # fmt: skip
    localnet_actions = localnet.add_subparsers(dest="localnet_command", metavar="ACTION")
    command(localnet_actions, "start", "start it detached in the background (what the app does when none runs)")
    command(localnet_actions, "stop", "stop the background localnet of this data dir")
    command(localnet_actions, "status", "say whether a localnet runs for this data dir, and where")

    sessions = command(commands, "sessions", "list sessions recorded in the registry (all clusters)")
    sessions.add_argument("--all", action="store_true", help="include withdrawn sessions")
    sessions.add_argument("--json", action="store_true", help="print JSON")
    add_trading_commands(commands, command)
    add_history_commands(commands, command, session_option)
    add_market_commands(commands, command)

    stop = command(commands, "stop", "stop and withdraw: cancel, close, settle, withdraw everything, archive")
    stop.add_argument("--yes", action="store_true", help="do not ask to type 'stop' first")
    stop.add_argument("--json", action="store_true", help="print the steps and the session's result as JSON")
    session_option(stop)
    sweep = command(
        commands, "sweep", "send an archived session wallet's SOL and quote (USDC, USDT) to ADDRESS (then withdrawn)"
    )
    sweep.add_argument("address", metavar="ADDRESS")
    session_option(sweep, "the only archived one")
    guard = command(commands, "guard", "watch a session headless: log alerts and enforce the loss limit until Ctrl-C")
    guard.add_argument("--lift", action="store_true", help="lift a breached loss limit (asks you to type 'lift')")
    session_option(guard)
    recover = command(commands, "recover", "reconcile every session with the chain and list what needs recovery")
    recover.add_argument("--json", action="store_true", help="print JSON")
    recover.add_argument(
        "--rebuild", action="store_true", help="first rebuild a lost registry's sessions from the keys the keystore holds"
    )
    return parser


def settings_flags(args: argparse.Namespace, cluster: str | None = None) -> dict:
    """The flags that override settings, as the config loader expects them; `--venue` applies
    to `cluster`'s profile (known only once the settings are resolved, hence the argument)."""
    flags: dict = {}
    venue = getattr(args, "profile_venue", None)
    if venue is not None and cluster is not None:
        flags["clusters"] = {cluster: {"venue": venue}}
    if args.mainnet:
        if args.cluster not in (None, "mainnet"):
            raise UsageError(f"--mainnet conflicts with --cluster {args.cluster}; pass only one of them.")
        flags.update(cluster="mainnet", allow_mainnet=True)
    elif args.cluster is not None:
        flags["cluster"] = args.cluster
    if args.data_dir is not None:
        flags["data_dir"] = args.data_dir
    return flags
