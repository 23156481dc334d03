"""`rekt-tui sessions`: the registry's view of every session, across clusters."""

import argparse

from rekt_tui.cli.output import last_collateral, last_sol, note, print_json, print_table, session_dict, when
from rekt_tui.services.container import Services


async def run(services: Services, args: argparse.Namespace) -> int:
    sessions = await services.registry.list_sessions(include_withdrawn=args.all)
    if args.json:
        print_json([session_dict(s) for s in sessions])
        return 0
    if not sessions:
        note("No sessions recorded yet; create a session wallet with `rekt-tui wallet new`.")
        return 0
    rows = [
        [s.pubkey, s.cluster, s.status.value, last_sol(s), last_collateral(s), when(s.updated_at), s.label]
        for s in sessions
    ]
    print_table(["PUBKEY", "CLUSTER", "STATUS", "LAST SOL", "LAST COLLATERAL", "UPDATED", "LABEL"], rows)
    return 0
