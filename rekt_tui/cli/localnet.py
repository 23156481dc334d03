"""`rekt-tui localnet …`: the embedded cluster in the foreground, or as a background daemon.

These commands never open the registry: a localnet running beside the app must not hold
the registry's writer lock.
"""

import argparse
import asyncio
import os
import time

from rekt_tui.cli.output import note
from rekt_tui.config import Settings
from rekt_localnet import daemon
from rekt_localnet.errors import LocalnetError
from rekt_tui.services.localnet import as_rekt_error, ensure_localnet_at


def run(settings: Settings, args: argparse.Namespace) -> int:
    try:
        return _run(settings, args)
    except LocalnetError as error:
        raise as_rekt_error(error) from None


def _run(settings: Settings, args: argparse.Namespace) -> int:
    profile = settings.clusters["localnet"]
    data_dir = settings.data_dir
    action = args.localnet_command
    if action == "stop":
        stopped = daemon.stop(data_dir)
        note("localnet stopped." if stopped else f"No localnet is running for {data_dir}.")
        return 0
    if action == "status":
        state = daemon.running_state(data_dir)
        if state is None:
            note(f"No localnet is running for {data_dir}.")
            return 1
        print(f"running pid {state.pid}: JSON-RPC {state.rpc_url}, DLOB http://127.0.0.1:{state.dlob_port}")
        return 0
    if action == "start":
        venue = args.venue or profile.venue
        started = asyncio.run(ensure_localnet_at(data_dir, profile.rpc_url, profile.dlob_url, venue))
        note(f"localnet {'started' if started else 'already running'} at {profile.rpc_url}.")
        return 0
    return _foreground(settings, args)


def _foreground(settings: Settings, args: argparse.Namespace) -> int:
    # The server is imported only here: it pulls in aiohttp, anchorpy and parts of driftpy.
    from rekt_localnet import run_foreground

    profile = settings.clusters["localnet"]
    port = args.port or daemon.loopback_port(profile.rpc_url, "rpc_url")
    dlob_port = args.dlob_port or daemon.loopback_port(profile.dlob_url, "dlob_url")
    pid = os.getpid()
    daemon.write_state(settings.data_dir, daemon.DaemonState(pid, port, dlob_port, time.time()))
    try:
        return run_foreground(
            settings.data_dir,
            port=port,
            dlob_port=dlob_port,
            slot_ms=args.slot_ms,
            seed=args.seed,
            fresh=args.fresh,
            oracle_replay=args.oracle_replay,
            faults=args.fault,
            venue=args.venue or profile.venue,
            activation_delay_slots=args.activation_delay_slots,
        )
    finally:
        daemon.clear_state(settings.data_dir, pid)
