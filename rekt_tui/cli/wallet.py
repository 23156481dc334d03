"""`rekt-tui wallet …`: session wallets from the shell."""

import argparse
import sys

from rekt_tui.cli.output import last_collateral, last_sol, note, print_json, print_table, session_dict, when
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.pubkey import parse_pubkey
from rekt_tui.services.container import Services

EXPORT_WORD = "EXPORT"


async def run(services: Services, args: argparse.Namespace) -> int:
    handler = {
        "new": _new,
        "list": _list,
        "show": _show,
        "import": _import,
        "export": _export,
    }[args.wallet_command]
    return await handler(services, args)


async def _new(services: Services, args: argparse.Namespace) -> int:
    wallets = await services.wallets()
    session = await wallets.create(label=args.label)
    keystore = (await services.keystore()).status
    if args.json:
        print_json(session_dict(session, keystore=keystore.backend))
        return 0
    print(session.pubkey)
    note(f"Created session wallet {session.pubkey} on {session.cluster}; its key is in {keystore.backend}.")
    note(f"Fund it by sending SOL to {session.pubkey}.")
    return 0


async def _list(services: Services, args: argparse.Namespace) -> int:
    sessions = await services.registry.list_sessions(cluster=services.settings.cluster, include_withdrawn=True)
    present = await _key_presence(services, [s.pubkey for s in sessions])
    if args.json:
        print_json([session_dict(s, key_present=present.get(s.pubkey)) for s in sessions])
        return 0
    if not sessions:
        note(f"No session wallets on {services.settings.cluster} yet; create one with `rekt-tui wallet new`.")
        return 0
    rows = [[s.pubkey, s.status.value, _key_label(present.get(s.pubkey)), last_sol(s), s.label] for s in sessions]
    print_table(["PUBKEY", "STATUS", "KEY", "LAST SOL", "LABEL"], rows)
    return 0


async def _show(services: Services, args: argparse.Namespace) -> int:
    pubkey = parse_pubkey(args.pubkey, "session wallet address")
    session = await services.registry.get_session(pubkey)
    if session is None:
        raise RektError(f"No session wallet {pubkey} is recorded; `rekt-tui wallet list` shows the known ones.")
    present = (await _key_presence(services, [pubkey])).get(pubkey)
    explorer = services.settings.clusters[session.cluster].explorer_account_url.format(address=pubkey)
    if args.json:
        print_json(session_dict(session, key_present=present, explorer_url=explorer))
        return 0
    fields = [
        ("pubkey", session.pubkey),
        ("cluster", session.cluster),
        ("label", session.label or "—"),
        ("status", session.status.value),
        ("key", f"{_key_label(present)} ({session.key_backend})"),
        ("drift account", session.drift_user or "not initialized"),
        ("referrer", _referrer(session)),
        ("strategy", session.strategy or "—"),
        ("last known SOL", last_sol(session)),
        ("last known collateral", last_collateral(session)),
        ("created", when(session.created_at)),
        ("updated", when(session.updated_at)),
        ("explorer", explorer),
    ]
    print_table(["FIELD", "VALUE"], [[name, value] for name, value in fields])
    return 0


async def _import(services: Services, args: argparse.Namespace) -> int:
    wallets = await services.wallets()
    session = await wallets.import_file(args.file.expanduser(), label=args.label)
    print(session.pubkey)
    note(f"Imported {session.pubkey} as a session wallet on {session.cluster}.")
    return 0


async def _export(services: Services, args: argparse.Namespace) -> int:
    pubkey = parse_pubkey(args.pubkey, "session wallet address")
    path = args.file.expanduser()
    if path.exists():
        raise RektError(f"{path} already exists; choose a new file name so no key file is overwritten.")
    wallets = await services.wallets()
    note(f"This writes the PRIVATE KEY of {pubkey} to {path} (mode 0600). Anyone with that file controls its funds.")
    sys.stderr.write(f"Type {EXPORT_WORD} to continue: ")
    sys.stderr.flush()
    if sys.stdin.readline().strip() != EXPORT_WORD:
        raise RektError("Export cancelled; nothing was written.")
    await wallets.export_file(pubkey, path)
    note(f"Wrote {path}.")
    return 0


async def _key_presence(services: Services, pubkeys: list[str]) -> dict[str, bool]:
    """Which keys the keystore holds; empty (unknown) when no keystore can be opened."""
    try:
        wallets = await services.wallets()
    except RektError as error:
        note(f"Key presence unknown: {error.message}")
        return {}
    return {pubkey: await wallets.key_present(pubkey) for pubkey in pubkeys}


def _key_label(present: bool | None) -> str:
    return {True: "present", False: "MISSING", None: "unknown"}[present]


def _referrer(session) -> str:
    if session.referrer is None:
        return "—"
    verified = f"verified {when(session.referrer_verified_at)}" if session.referrer_verified_at else "not verified"
    return f"{session.referrer} ({verified})"
