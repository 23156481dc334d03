"""DriftProgram: decodes Drift instructions with driftpy's IDL and runs their handlers.

Instruction data is an 8-byte sighash plus Borsh arguments (anchorpy's coder); the
accounts are named by the IDL's order, and anything after them is a remaining account.
Instructions the localnet does not implement fail with a log line naming them.
"""

import json
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from types import SimpleNamespace
from typing import Any

from rekt_localnet.encoding import drift_coder
from rekt_localnet.keys import DRIFT_PROGRAM_ID
from rekt_localnet.runtime.program import InstructionError, InvokeContext

from . import spot_orders, trading
from .collateral import authorized_user, deposit, withdraw
from .funding import update_funding_rate
from .liquidation import liquidate_perp
from .users import initialize_user, initialize_user_stats
from .view import DriftView

UNSUPPORTED = "InvalidInstructionData"
# anchor-lang's ErrorCode::InstructionFallbackNotFound ("Fallback functions are not supported").
ANCHOR_FALLBACK_NOT_FOUND = 101
# Compute units charged per instruction, roughly what Drift's instructions cost on mainnet
# (so `unitsConsumed` and compute limits behave plausibly); others cost DEFAULT_UNITS.
COMPUTE_UNITS = {
    "initialize_user_stats": 30_000,
    "initialize_user": 40_000,
    "deposit": 60_000,
    "withdraw": 80_000,
    "place_perp_order": 60_000,
    "place_orders": 120_000,
    "place_and_take_perp_order": 150_000,
    "place_spot_order": 60_000,
    "place_and_take_spot_order": 150_000,
    "fill_perp_order": 150_000,
    "fill_spot_order": 150_000,
    "liquidate_perp": 150_000,
    "settle_pnl": 80_000,
}
DEFAULT_UNITS = 30_000


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@cache
def _account_names() -> dict[str, list[str]]:
    idl = json.loads(resources.files("driftpy").joinpath("idl/drift.json").read_text())
    return {_snake(ix["name"]): [_snake(a["name"]) for a in ix["accounts"]] for ix in idl["instructions"]}


def _user_handlers() -> dict[str, Any]:
    """Instructions whose first work is on the signing user's own account."""
    return {
        "place_perp_order": trading.place_perp_order_ix,
        "place_orders": trading.place_orders_ix,
        "cancel_order": trading.cancel_order_ix,
        "cancel_order_by_user_id": trading.cancel_order_by_user_id_ix,
        "cancel_orders": trading.cancel_orders_ix,
        "modify_order": trading.modify_order_ix,
        "modify_order_by_user_id": trading.modify_order_by_user_id_ix,
        "place_and_take_perp_order": trading.place_and_take_perp_order_ix,
        "place_spot_order": spot_orders.place_spot_order_ix,
        "place_and_take_spot_order": spot_orders.place_and_take_spot_order_ix,
    }


class DriftProgram:
    """The Drift program as the localnet runtime executes it."""

    program_id = DRIFT_PROGRAM_ID

    def __init__(self, refuses_everything: Callable[[], bool] = lambda: False) -> None:
        # True while the program plays Drift's paused original (the `paused-program` fault).
        self._refuses_everything = refuses_everything
        self._handlers = {
            "initialize_user_stats": initialize_user_stats,
            "initialize_user": initialize_user,
            "deposit": deposit,
            "withdraw": withdraw,
            "settle_pnl": trading.settle_pnl_ix,
            "fill_perp_order": trading.fill_perp_order_ix,
            "trigger_order": trading.trigger_order_ix,
            "liquidate_perp": liquidate_perp,
            "fill_spot_order": spot_orders.fill_spot_order_ix,
            "update_funding_rate": update_funding_rate,
        }
        self._user_handlers = _user_handlers()

    def process(self, ctx: InvokeContext) -> None:
        if self._refuses_everything():
            # What Anchor's dispatcher answers an instruction it has no handler for
            # (anchor-lang's ErrorCode::InstructionFallbackNotFound, 101).
            raise InstructionError(
                ANCHOR_FALLBACK_NOT_FOUND,
                "AnchorError occurred. Error Code: InstructionFallbackNotFound. Error Number: 101. "
                "Error Message: Fallback functions are not supported.",
            )
        try:
            named = drift_coder().instruction.parse(ctx.data)
        except Exception:
            raise InstructionError("InvalidInstructionData", "not a Drift instruction") from None
        names = _account_names().get(named.name, [])
        if len(ctx.accounts) < len(names):
            raise InstructionError("NotEnoughAccountKeys", f"{named.name} needs {len(names)} accounts")
        accounts = SimpleNamespace(**{name: ref.key for name, ref in zip(names, ctx.accounts)})
        ctx.log(f"Instruction: {named.name}")
        ctx.consume(COMPUTE_UNITS.get(named.name, DEFAULT_UNITS))
        view = DriftView(ctx)
        if named.name in self._user_handlers:
            authorized_user(view, accounts.user, accounts.authority)
            self._user_handlers[named.name](view, accounts, named.data)
        elif named.name in self._handlers:
            self._handlers[named.name](view, accounts, named.data)
        else:
            raise InstructionError(UNSUPPORTED, f"the localnet's Drift program does not implement {named.name}")
        view.flush()
