"""`rekt-tui stop`, `sweep` and `recover`: getting money out, from a shell or over ssh.

`stop` prints each teardown step as it completes, so a script (or a person watching)
sees how far it got if the connection drops; running it again continues from the chain.
`recover` exits 1 while any session needs recovery, so scripts can loop on it.
"""

import argparse
import sys

from rekt_tui.cli.history import print_stop_result
from rekt_tui.cli.output import note, print_json, print_table, session_dict, when
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.money import format_sol, format_usd
from rekt_tui.domain.pubkey import parse_pubkey
from rekt_tui.domain.records import TeardownStepStatus
from rekt_tui.domain.session import SessionStatus
from rekt_tui.config import Settings
from rekt_tui.services.container import PassphrasePrompt, Services
from rekt_tui.services.link import open_link
from rekt_tui.services.models import RecoveryItem
from rekt_tui.services.reconcile import reconcile
from rekt_tui.services.registry_rebuild import rebuild_from_keystore
from rekt_tui.services.teardown import TeardownService

STOP_WORD = "stop"
EXIT_NEEDS_RECOVERY = 1


async def run(services: Services, args: argparse.Namespace) -> int:
    return await {"stop": _stop, "sweep": _sweep, "recover": _recover}[args.command](services, args)


async def _stop(services: Services, args: argparse.Namespace) -> int:
    session = args.session  # checked by the parser
    if not args.yes:
        note("This cancels every order, closes every position reduce-only, settles PnL, withdraws all collateral "
             "to the session wallet and archives the session.")  # fmt: skip
        sys.stderr.write(f"Type {STOP_WORD} to continue: ")
        sys.stderr.flush()
        if sys.stdin.readline().strip() != STOP_WORD:
            raise RektError("Stop cancelled; nothing was signed.")
    link = await open_link(services, session)
    parked = False
    steps: list[dict] = []
    try:
        async for event in TeardownService(services).run(link):
            if event.state is TeardownStepStatus.RUNNING:
                continue
            step = event.step.value if event.step else "teardown"
            signature = f" {event.signature}" if event.signature else ""
            if args.json:
                steps.append({"step": step, "state": event.state.value, "signature": event.signature,
                              "message": event.message})  # fmt: skip
            else:
                print(f"{step}: {event.state.value}{signature} — {event.message}", flush=True)
            parked = parked or event.state is TeardownStepStatus.PARKED
        await print_stop_result(link, steps, as_json=args.json, finished=not parked)
    finally:
        await link.close()
    return EXIT_NEEDS_RECOVERY if parked else 0


async def _sweep(services: Services, args: argparse.Namespace) -> int:
    address = parse_pubkey(args.address, "sweep destination address")
    session = args.session or await _only_archived(services)
    link = await open_link(services, session)
    try:
        signature = await TeardownService(services).sweep(link, address)
    finally:
        await link.close()
    print(signature)
    note(f"Swept session wallet {link.session.pubkey} to {address}; the session is now withdrawn.")
    return 0


async def _only_archived(services: Services) -> str:
    """Without --session, sweep the one archived session of this cluster (only those can be swept)."""
    cluster = services.settings.cluster
    archived = [s for s in await services.registry.list_sessions(cluster=cluster) if s.status is SessionStatus.ARCHIVED]
    if len(archived) != 1:
        raise RektError(f"{len(archived)} archived session wallets on {cluster}; choose one with --session PUBKEY.")
    return archived[0].pubkey


async def rebuild(settings: Settings, prompt_passphrase: PassphrasePrompt) -> None:
    """`recover --rebuild`, before the registry is opened: the reconcile that follows reads the chain."""
    result = await rebuild_from_keystore(settings, prompt_passphrase=prompt_passphrase)
    if result.moved_aside is not None:
        note(f"The unreadable registry was moved to {result.moved_aside}.")
    for pubkey in result.added:
        note(f"Rebuilt session {pubkey} from the keystore.")
    note(f"Registry rebuilt: {len(result.added)} sessions added, {result.kept} already there; reading the chain.")


async def _recover(services: Services, args: argparse.Namespace) -> int:
    items = await reconcile(services)
    if args.json:
        print_json([_item_dict(item) for item in items])
    elif not any(item.needs_recovery for item in items):
        venue = services.settings.labels.name
        note(f"Nothing to recover on {services.settings.cluster}: no session holds funds or exposure in {venue}.")
    else:
        rows = [
            [i.session.pubkey, i.action.value if i.action else "—", format_sol(i.sol_lamports),
             format_usd(i.collateral), str(i.positions), str(i.open_orders), when(i.since)]
            for i in items if i.needs_recovery
        ]  # fmt: skip
        print_table(["SESSION", "SUGGESTED", "WALLET", "DRIFT", "POSITIONS", "ORDERS", "SINCE"], rows)
        for item in items:
            if item.key_problem:
                note(f"{item.session.pubkey}: read-only, nothing signed or deleted: {item.key_problem}")
        note("Recover with `rekt-tui stop --session PUBKEY`.")
    for item in items:
        for resumed in item.resumed:
            note(resumed.message)
    return EXIT_NEEDS_RECOVERY if any(item.needs_recovery for item in items) else 0


def _item_dict(item: RecoveryItem) -> dict:
    return session_dict(
        item.session,
        needs_recovery=item.needs_recovery,
        suggested_action=item.action,
        holds={
            "sol_lamports": item.sol_lamports, "collateral_quote": item.collateral, "open_orders": item.open_orders,
            "positions": item.positions, "unsettled_pnl_quote": item.unsettled_pnl, "borrowed": item.borrowed,
        },
        since=item.since,
        key_problem=item.key_problem,
        adopted_orders=item.adopted,
        resumed=[{"signature": r.signature, "kind": r.kind, "outcome": r.outcome} for r in item.resumed],
    )  # fmt: skip
