"""`rekt-tui airdrop | init | deposit | withdraw | strategy | start | status`, and dispatch of the order commands.

Each command opens one live link to the session (`--session PUBKEY`, or the only
active one), runs one service call and closes the link. Results go to stdout (one
value, or a table, or JSON); sentences for people go to stderr.
"""

import argparse
import sys

from rekt_tui.cli import collateral, trading_orders
from rekt_tui.cli.output import note, print_json, print_table, session_dict
from rekt_tui.cli.trading_views import (
    ORDER_HEADINGS,
    POSITION_HEADINGS,
    account_rows,
    checklist_rows,
    order_rows,
    position_rows,
    status_dict,
)
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.money import USDC_DECIMALS, format_sol, format_usd, to_decimal
from rekt_tui.services.container import Services
from rekt_tui.services.landing import Lander, open_lander
from rekt_tui.services.session import SessionService, check_faucet
from rekt_tui.services.status_reads import light_status

START_WORD = "start"


async def run(services: Services, args: argparse.Namespace) -> int:
    pubkey = args.session  # checked by the parser
    if args.command == "status":
        return await status(services, args)
    handler = {
        "airdrop": _airdrop,
        "init": _init,
        "deposit": _deposit,
        "withdraw": collateral.withdraw,
        "strategy": _strategy,
        "start": _start,
        "order": trading_orders.order,
        "cancel": trading_orders.cancel,
        "close": trading_orders.close,
        "modify": trading_orders.modify,
    }[args.command]
    # Refusals that need no chain come before connecting.
    trading_orders.check_usage(args)
    if args.command == "airdrop":
        check_faucet(services.settings.cluster)
    lander = await open_lander(services, pubkey)
    try:
        return await handler(lander, args)
    finally:
        await lander.link.close()


async def _airdrop(lander: Lander, args: argparse.Namespace) -> int:
    note(await SessionService(lander).airdrop(args.amount, args.asset))
    venue, quote = lander.link.venue, lander.link.settings.labels.quote  # the wallet's balance of what came
    sol = args.asset.strip().upper() == "SOL"
    print(format_sol(await venue.wallet_lamports(), 9) if sol
          else f"{to_decimal(await venue.wallet_usdc(), USDC_DECIMALS):f} {quote}")  # fmt: skip
    return 0


async def _init(lander: Lander, args: argparse.Namespace) -> int:
    session = await SessionService(lander).initialize()
    print(session.drift_user)
    referrer = f"referrer {session.referrer} verified" if session.referrer else "no referrer configured"
    note(f"{lander.link.settings.labels.account} {session.drift_user} is open; {referrer}.")
    return 0


async def _deposit(lander: Lander, args: argparse.Namespace) -> int:
    landed = await SessionService(lander).deposit(args.amount, args.asset)
    print(landed.signature)
    snapshot = lander.link.venue.snapshot()  # as last read: the deposit stands whatever it shows
    venue = lander.link.settings.labels.name
    held = "" if snapshot is None else f"; {venue} holds {format_usd(snapshot.total_collateral)} of collateral"
    note(f"Deposited {args.amount.strip()} {args.asset.upper()}{held}.")
    return 0


async def _strategy(lander: Lander, args: argparse.Namespace) -> int:
    session = await SessionService(lander).choose_strategy(args.name)
    print(session.strategy)
    return 0


async def _start(lander: Lander, args: argparse.Namespace) -> int:
    service = SessionService(lander)
    summary = await service.start_summary()
    note(summary)
    if not args.yes:
        sys.stderr.write(f"Type {START_WORD} to start trading: ")
        sys.stderr.flush()
        if sys.stdin.readline().strip() != START_WORD:
            raise RektError("Start cancelled; trading stays blocked for this session.")
    await service.start_trading()
    print("trading started")
    return 0


async def status(services: Services, args: argparse.Namespace) -> int:
    """Reads only: the account is read without a venue client where the venue allows it."""
    read = await light_status(services, args.session)
    snapshot, markets = read.snapshot, read.markets
    if args.json:
        described = session_dict(read.session, trading_started_at=read.session.trading_started_at)
        print_json(status_dict(described, read.wallet_lamports, snapshot, read.checklist, markets))
        return 0
    print(f"session  {read.session.pubkey}  wallet {format_sol(read.wallet_lamports)}")
    print_table(["ACCOUNT", "VALUE"], account_rows(snapshot, services.settings.labels))
    if snapshot is not None and snapshot.positions:
        print()
        print_table(POSITION_HEADINGS, position_rows(snapshot))
    if snapshot is not None and snapshot.orders:
        print()
        print_table(ORDER_HEADINGS, order_rows(snapshot, markets))
    if snapshot is not None and snapshot.orders_unread:
        print()
        print(snapshot.orders_unread)
    print()
    print_table(["CHECK", "STATE", "DETAIL"], checklist_rows(read.checklist))
    return 0
