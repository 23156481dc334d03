"""Command-line entry point: parse, load settings, build services, run a command or the TUI.

This is the one place services are built. Any failure ends in `failure.report`: a
`RektError` with its sentence and exit code, anything else as a bug logged with its
traceback; either way the registry is asked what the command signed before anything is
said about it.
"""

import asyncio
import gc
import getpass
import logging
import sys
from datetime import UTC, datetime

from rekt_tui.cli.failure import Run, report, wants_json
from rekt_tui.cli.logsetup import configure_logging, ensure_private_dir
from rekt_tui.cli.market_args import MARKET_COMMANDS
from rekt_tui.cli.parser import build_parser, settings_flags
from rekt_tui.cli.trading_args import TRADING_COMMANDS
from rekt_tui.config import Settings, load_settings
from rekt_tui.domain.errors import RektError

log = logging.getLogger("rekt_tui.cli")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    run = Run(started=datetime.now(UTC), json=wants_json(argv))
    try:
        args = build_parser().parse_args(argv)
        run.json = bool(getattr(args, "json", False))
        run.settings = settings = load_settings(config_path=args.config, flags=settings_flags(args))
        if getattr(args, "profile_venue", None) not in (None, settings.profile.venue):
            flags = settings_flags(args, settings.cluster)
            run.settings = settings = load_settings(config_path=args.config, flags=flags)
        ensure_private_dir(settings.data_dir)
        configure_logging(settings.log_file, settings.log_level)
        log.info("rekt-tui %s on %s", args.command or "tui", settings.cluster)
        if args.command == "localnet":
            from rekt_tui.cli import localnet

            return localnet.run(settings, args)  # the localnet's own errors become ours there
        if getattr(args, "session", None) is not None:
            run.sessions = [args.session]
        code = asyncio.run(_run(run, settings, args))
        sys.stdout.flush()  # a closed pipe surfaces here, not in the interpreter's exit
        return code
    except (Exception, KeyboardInterrupt) as error:
        return report(run, error)


async def _run(run: Run, settings: Settings, args) -> int:
    from rekt_tui.services.container import Services

    if args.command in MARKET_COMMANDS:  # public data: no registry, keys or session
        from rekt_tui.cli import markets

        return await markets.run(settings, args)
    if args.command == "recover" and args.rebuild:
        from rekt_tui.cli.recovery import rebuild

        await rebuild(settings, _prompt_passphrase)
    services = await Services.open(settings, prompt_passphrase=_prompt_passphrase)
    run.may_sign = not services.registry.read_only
    try:
        if services.registry.read_only_reason:
            print(f"rekt-tui: note: {services.registry.read_only_reason}", file=sys.stderr)
        if args.command is None:
            return await _run_tui(services)
        await services.settle_pending_keys()
        if args.command == "wallet":
            from rekt_tui.cli import wallet

            return await wallet.run(services, args)
        if args.command in TRADING_COMMANDS:
            from rekt_tui.cli import trading

            return await trading.run(services, args)
        if args.command in ("history", "report"):
            from rekt_tui.cli import history

            return await history.run(services, args)
        if args.command == "guard":
            from rekt_tui.cli import guard

            return await guard.run(services, args)
        if args.command in ("stop", "sweep", "recover"):
            from rekt_tui.cli import recovery

            return await recovery.run(services, args)
        from rekt_tui.cli import sessions

        return await sessions.run(services, args)
    finally:
        await services.close()


async def _run_tui(services) -> int:
    # Textual is imported only when the cockpit is opened: scripted commands stay fast.
    # The app settles crash leftovers itself, once its first frame is out.
    # Start-up builds Textual's and our classes, styles and widgets, and frees little: the
    # collector's passes over them were a tenth of the time to the first frame. The app turns
    # it back on once that frame is out (`ChainLoader.first_frame_drawn`).
    gc.disable()
    try:
        from rekt_tui.services.localnet import ensure_localnet
        from rekt_tui.tui.app import RektApp

        settings = services.settings
        if settings.cluster == "localnet":
            await ensure_localnet(settings)
        await RektApp(services=services).run_async()
        return 0
    finally:
        gc.enable()


def _prompt_passphrase(prompt: str) -> str:
    """Passphrases are typed, never taken from argv or the environment."""
    if not sys.stdin.isatty():
        raise RektError("The encrypted key file needs its passphrase typed at a terminal; run rekt-tui interactively.")
    return getpass.getpass(prompt)
