"""Embedded Drift localnet: a loopback Solana cluster that runs Drift.

Public API:

- `serve(data_dir, port=8899, slot_ms=400, seed=0, fresh=False, dlob_port=6969,
  faults=(), oracle_replay=None, oracle_walk=True, dlob_heartbeat_s=5.0, venue="drift",
  activation_delay_slots=0)` starts one in
  the running event loop and returns a `LocalnetHandle` (`rpc_url`, `ws_url`,
  `dlob_url`, `dlob_ws_url`, `stop()`). With `venue="velocity"` the ledger runs a
  simulation of Drift's relaunched program instead (`velocity_venue.py`,
  `programs/velocity/`); a ledger keeps the venue it began with.
- `run_foreground(...)` runs one until SIGINT/SIGTERM (what `rekt-tui localnet` calls).
- `ledger_genesis_hash(data_dir)`: the genesis hash of the ledger a data dir holds, read
  without opening it (the product checks what answers at the port against it).
- `LOCALNET_REFERRER`, `LOCALNET_LOOKUP_TABLE`, `LOCALNET_FAUCET`, `USDC_MINT`: fixed
  addresses, the same on every localnet.

The server pulls in aiohttp, anchorpy and parts of driftpy (about half a second), so it
is imported on first use of `serve` and friends: a command that only needs an address
stays fast to start. The addresses need solders, so they too load on first use: the
cockpit checks the genesis hash before its first frame without them.
"""

from typing import TYPE_CHECKING, Any

from rekt_localnet.errors import LocalnetError, LocalnetUsageError
from rekt_localnet.identity import ledger_genesis_hash

if TYPE_CHECKING:
    from rekt_localnet.keys import LOCALNET_FAUCET, LOCALNET_LOOKUP_TABLE, LOCALNET_REFERRER, USDC_MINT

__all__ = [
    "LOCALNET_FAUCET",
    "LOCALNET_LOOKUP_TABLE",
    "LOCALNET_REFERRER",
    "USDC_MINT",
    "LocalnetError",
    "LocalnetHandle",
    "LocalnetUsageError",
    "run_foreground",
    "ledger_genesis_hash",
    "serve",
]

_SERVER_NAMES = {"LocalnetHandle", "run_foreground", "serve"}
_KEY_NAMES = {"LOCALNET_FAUCET", "LOCALNET_LOOKUP_TABLE", "LOCALNET_REFERRER", "USDC_MINT"}


def __getattr__(name: str) -> Any:
    if name in _SERVER_NAMES:
        from rekt_localnet import server

        return getattr(server, name)
    if name in _KEY_NAMES:
        from rekt_localnet import keys

        return getattr(keys, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
