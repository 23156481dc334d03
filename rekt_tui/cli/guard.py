"""`rekt-tui guard`: the cockpit's watcher without the cockpit, for a server or an ssh session.

It prints each alert as a line on stdout (and logs it), keeps the loss ledger and enforces
the limit exactly as the cockpit does, and exits cleanly (status 0) on SIGINT or SIGTERM.
Only one guard may watch a session: a second one is refused at once. `--lift` clears a
breached loss limit after the user types "lift".
"""

import argparse
import asyncio
import signal
import sys
from datetime import datetime

from rekt_tui.cli.output import note
from rekt_tui.domain.alerts import Alert
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.loss_limit import GuardState
from rekt_tui.registry.guard_state import guard_lock
from rekt_tui.services.container import Services
from rekt_tui.services.link import open_link, pick_session
from rekt_tui.services.notify import Notifier
from rekt_tui.services.watcher import LIFT_WORD, Watcher, breached_ledger, describe, lift_loss_limit, lift_question

async def run(services: Services, args: argparse.Namespace) -> int:
    if args.lift:
        return await _lift(services, args.session)
    session = await pick_session(services, args.session)
    with guard_lock(services.settings.data_dir, session.pubkey):
        return await _watch(services, session.pubkey)


def _print_alert(alert: Alert) -> None:
    stamp = datetime.now().astimezone().strftime("%H:%M:%S")
    print(f"{stamp} {alert.severity.value.upper()} {alert.kind.value}: {alert.sentence}", flush=True)


async def _watch(services: Services, pubkey: str) -> int:
    settings = services.settings
    link = await open_link(services, pubkey)
    notifier = Notifier(settings.alerts, session=pubkey, cluster=settings.cluster, sink=_print_alert)
    shown: list[tuple[bool, bool, bool]] = []

    def state_changed(state: GuardState) -> None:
        phase = (state.enabled, state.equity is not None, state.exit_only)
        if [phase] != shown:  # print at start, at the first reading, and when exit-only begins or ends
            shown[:] = [phase]
            print(describe(state), flush=True)

    watcher = Watcher(link, notifier, on_state=state_changed)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"Guarding session {pubkey} on {settings.cluster}; Ctrl-C stops the guard (not the session).", flush=True)
    watching = asyncio.create_task(watcher.run())
    waits = [asyncio.create_task(stop.wait()), asyncio.create_task(watcher.stopped.wait()), watching]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        for task in waits:
            task.cancel()
        await asyncio.gather(*waits, return_exceptions=True)  # a failure is raised below, after cleanup
        await notifier.close()
        await link.close()
    failure = watching.exception() if watching.done() and not watching.cancelled() else None
    if failure is not None:
        raise failure
    print(f"Guard stopped after {watcher.alerts_seen} alert(s).", flush=True)
    return 0


async def _lift(services: Services, pubkey: str | None) -> int:
    session = await pick_session(services, pubkey)
    note(lift_question(await breached_ledger(services.registry, session.pubkey)))
    sys.stderr.write(f"Type {LIFT_WORD} to continue: ")
    sys.stderr.flush()
    if sys.stdin.readline().strip() != LIFT_WORD:
        raise RektError("Lift cancelled; the session stays exit-only.")
    print(await lift_loss_limit(services.registry, session.pubkey))
    return 0
