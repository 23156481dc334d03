"""The relaunched program as the localnet runtime executes it.

Instruction data and accounts are decoded with the pinned IDL through the product's codec;
accounts are named by the IDL's order (an optional account given as the program's own id is
absent), anything after them is a remaining account. Instructions the localnet does not
implement fail with Anchor's InstructionFallbackNotFound (101) and a log line naming them.
"""

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from rekt_localnet.runtime.program import InstructionError, InvokeContext

from . import cancels, collateral, funding, matching, modify, orders, referral, safety, settlement, triggers, users
from .clob import LocalClobProgram
from .codec import VELOCITY_PROGRAM_ID, CodecError, program
from .view import VelocityView

Handler = Callable[[VelocityView, Any, dict[str, Any]], None]
ANCHOR_FALLBACK_NOT_FOUND = 101
ANCHOR_DID_NOT_DESERIALIZE = 102
COMPUTE_UNITS = {
    "initialize_user_stats": 30_000,
    "initialize_user": 40_000,
    "deposit": 60_000,
    "withdraw": 80_000,
    "place_and_take_perp_order_v1": 150_000,
    "place_and_make_perp_order_v1": 80_000,
    "settle_pnl": 80_000,
}
DEFAULT_UNITS = 30_000


__all__ = ["LocalClobProgram", "VelocityLocalProgram"]


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


class VelocityLocalProgram:
    """Dispatches the relaunch's instructions to the localnet's handlers."""

    program_id = VELOCITY_PROGRAM_ID

    def __init__(self, activation_delay_slots: int = 0, refuses_everything: Callable[[], bool] = lambda: False) -> None:
        # True under the `paused-program` fault: the venue answers every instruction as a
        # program with its instructions removed does (Anchor's 101), accounts stay readable.
        self._refuses_everything = refuses_everything
        # How long a resting order waits before takers can match it when its placer does not say
        # (the relaunch's "speed bump"); a setting of the localnet.
        self.activation_delay_slots = activation_delay_slots
        self._handlers: dict[str, Handler] = {
            "initialize_user_stats": users.initialize_user_stats,
            "initialize_user": users.initialize_user,
            "initialize_revenue_share_escrow": referral.initialize_revenue_share_escrow,
            "resize_revenue_share_escrow_orders": referral.resize_revenue_share_escrow_orders,
            "deposit": collateral.deposit,
            "withdraw": collateral.withdraw,
            "place_and_take_perp_order_v1": self._place_and_take,
            "place_and_make_perp_order_v1": self._place_and_make,
            "modify_order_v1": self._modify,
            "update_funding_rate": funding.update_funding_rate,
            "update_user_equity_floor": safety.update_user_equity_floor,
            "cancel_order_v1": cancels.cancel_order_v1,
            "cancel_orders_v1": cancels.cancel_orders_v1,
            "settle_pnl": settlement.settle_pnl,
            "place_trigger_orders_v1": triggers.place_trigger_orders,
            "cancel_order": triggers.cancel_order,
            "cancel_orders": triggers.cancel_orders,
            "trigger_market_order_v1": lambda view, accounts, args: triggers.fire(view, accounts, args["args"], "TriggerMarket"),
            "trigger_limit_order_v1": lambda view, accounts, args: triggers.fire(view, accounts, args["args"], "TriggerLimit"),
        }

    def _modify(self, view: VelocityView, accounts: Any, args: dict[str, Any]) -> None:
        modify.modify_order_v1(view, accounts, args, self.activation_delay_slots)

    def _place_and_take(self, view: VelocityView, accounts: Any, args: dict[str, Any]) -> None:
        matching.place_and_take(view, accounts, args, self.activation_delay_slots)

    def _place_and_make(self, view: VelocityView, accounts: Any, args: dict[str, Any]) -> None:
        orders.place_and_make(view, accounts, args, self.activation_delay_slots)

    def process(self, ctx: InvokeContext) -> None:
        if self._refuses_everything():
            raise InstructionError(ANCHOR_FALLBACK_NOT_FOUND, "AnchorError occurred. Error Code: "
                                   "InstructionFallbackNotFound. Error Number: 101. Error Message: "
                                   "Fallback functions are not supported.")  # fmt: skip
        codec = program()
        try:
            name, args = codec.instructions.decode_data(ctx.data)
        except CodecError:
            known = any(ctx.data[:8] == i.discriminator for i in codec.idl.instructions.values())
            if known:  # Anchor: one of the program's instructions whose arguments do not decode
                raise InstructionError(ANCHOR_DID_NOT_DESERIALIZE, "AnchorError occurred. Error Code: "
                                       "InstructionDidNotDeserialize. Error Number: 102.") from None  # fmt: skip
            raise InstructionError(ANCHOR_FALLBACK_NOT_FOUND, "AnchorError occurred. Error Code: "
                                   "InstructionFallbackNotFound. Error Number: 101.") from None  # fmt: skip
        items = codec.idl.instructions[name].accounts
        if len(ctx.accounts) < len(items):
            raise InstructionError("NotEnoughAccountKeys", f"{name} needs {len(items)} accounts")
        named = {}
        for item, ref in zip(items, ctx.accounts):
            named[item.name] = None if item.optional and ref.key == VELOCITY_PROGRAM_ID else ref.key
        ctx.log(f"Instruction: {_camel(name)}")
        handler = self._handlers.get(name)
        if handler is None:
            raise InstructionError(
                ANCHOR_FALLBACK_NOT_FOUND, f"the localnet's relaunched program does not implement {name}"
            )
        ctx.consume(COMPUTE_UNITS.get(name, DEFAULT_UNITS))
        view = VelocityView(ctx)
        handler(view, SimpleNamespace(**named), args)
        view.flush()
