"""Referral on the relaunch: paid only through the taker's RevenueShareEscrow.

- `initialize_revenue_share_escrow(num_orders)` opens the trader's escrow (PDA "REV_ESCROW" +
  authority) once sub-account 0 exists, copies `UserStats.referrer` into it for good, and
  marks the UserStats `BuilderReferral`.
- `resize_revenue_share_escrow_orders(num_orders)` gives an escrow more order slots (never
  fewer: 6317), reallocated to exactly its slots and builders, the payer topping up its rent.
  Anyone may pay for it; the escrow stays its authority's.
- With the State's `BuilderCodes` bit set, a taker fill reads the taker's escrow from the
  instruction's accounts. A `BuilderReferral` taker without it fails (6324): an escrow, once
  opened, must ride on every fill.
- A fill of an escrow naming a referrer uses that market's referral row (created in the first
  free slot, kept for good). The taker pays the fee less the referee discount. The referrer's
  reward accrues in the row and in `PerpMarket.pending_revenue_share`, until a sweep pays it;
  the localnet does not model the sweep. Both are computed on the undiscounted fee.
  The reward is 20 % (over the tier's denominator) when the referrer's UserStats is passed
  and marks it Accelerated. No referrer, or no free slot: neither discount nor reward.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, replace
from typing import Any

from solders.pubkey import Pubkey

from rekt_localnet.account import rent_exempt_minimum
from rekt_localnet.keys import SYSTEM_PROGRAM_ID
from rekt_localnet.runtime.program import AccountRef, InstructionError

from .codec import VELOCITY_PROGRAM_ID
from .constants import BUILDER_CODES
from .errors import fail
from .view import VelocityView

BUILDER_REFERRAL = 0b100  # UserStats.referrer_status
ACCELERATED = 0b1  # UserStats.accelerated_referral_status
ACCELERATED_REWARD_NUMERATOR = 20
OPEN, COMPLETED, REFERRAL = 0b1, 0b10, 0b100  # RevenueShareOrder.bit_flags
MAX_ORDERS = 128
ESCROW_SEED = b"REV_ESCROW"
ROW_BYTES, BUILDER_BYTES, BASE_BYTES = 32, 40, 112  # BASE_BYTES: the account with no order and no builder
HEADER_BYTES = BASE_BYTES + BUILDER_BYTES  # opened with room for one builder
_CREATE_ACCOUNT = struct.Struct("<IQQ32s")
_SYSTEM_TRANSFER = struct.Struct("<IQ")
SYSTEM_TRANSFER = 2


def escrow_address(authority: Pubkey) -> Pubkey:
    return Pubkey.find_program_address([ESCROW_SEED, bytes(authority)], VELOCITY_PROGRAM_ID)[0]


def _empty_row() -> dict[str, Any]:
    return {"fees_accrued": 0, "order_id": 0, "fee_tenth_bps": 0, "market_index": 0, "sub_account_id": 0,
            "builder_idx": 0, "bit_flags": 0, "user_order_index": 0, "market_type": "Spot",
            "padding": bytes(10)}  # fmt: skip


def initialize_revenue_share_escrow(view: VelocityView, accounts: Any, args: dict[str, Any]) -> None:
    if not view.is_signer(accounts.payer):
        raise InstructionError("MissingRequiredSignature", "the payer must sign")
    if accounts.escrow != escrow_address(accounts.authority):
        raise InstructionError("InvalidSeeds", "the escrow is not the authority's PDA")
    stats = view.get(accounts.user_stats, "UserStats")
    if stats["authority"] != accounts.authority:
        raise fail("DefaultError", "the user stats belong to another wallet")
    if stats["number_of_sub_accounts_created"] == 0:
        raise fail("UserNotFound", "open sub-account 0 before the escrow")
    num_orders = args["num_orders"]
    if not 0 < num_orders <= MAX_ORDERS:
        raise fail("DefaultError", f"an escrow holds 1 to {MAX_ORDERS} orders, not {num_orders}")
    length = HEADER_BYTES + ROW_BYTES * num_orders
    data = _CREATE_ACCOUNT.pack(0, rent_exempt_minimum(length), length, bytes(VELOCITY_PROGRAM_ID))
    refs = [AccountRef(accounts.payer, True, True), AccountRef(accounts.escrow, True, True)]
    view.ctx.invoke(SYSTEM_PROGRAM_ID, refs, data, signers=[accounts.escrow])
    escrow = {"authority": accounts.authority, "referrer": stats["referrer"], "reserved_fixed": bytes(24),
              "padding0": 0, "orders": [_empty_row() for _ in range(num_orders)], "padding1": 0,
              "approved_builders": []}  # fmt: skip
    view.adopt(accounts.escrow, "RevenueShareEscrow", escrow)
    view.save(accounts.escrow)
    if stats["referrer"] != Pubkey.default():
        stats["referrer_status"] |= BUILDER_REFERRAL
        view.save(accounts.user_stats)


def resize_revenue_share_escrow_orders(view: VelocityView, accounts: Any, args: dict[str, Any]) -> None:
    if not view.is_signer(accounts.payer):
        raise InstructionError("MissingRequiredSignature", "the payer must sign")
    if accounts.escrow != escrow_address(accounts.authority):
        raise InstructionError(2006, "AnchorError caused by account: escrow. Error Code: ConstraintSeeds. "
                                     "Error Number: 2006.")  # fmt: skip
    escrow = view.get(accounts.escrow, "RevenueShareEscrow")
    if escrow["authority"] != accounts.authority:
        raise InstructionError(2001, "AnchorError caused by account: escrow. Error Code: ConstraintHasOne. "
                                     "Error Number: 2001.")  # fmt: skip
    num_orders, rows = args["num_orders"], escrow["orders"]
    if num_orders < len(rows):
        raise fail("InvalidRevenueShareResize", f"an escrow of {len(rows)} orders cannot shrink to {num_orders}")
    if num_orders > MAX_ORDERS:
        raise fail("DefaultError", f"an escrow holds 1 to {MAX_ORDERS} orders, not {num_orders}")
    length = BASE_BYTES + ROW_BYTES * num_orders + BUILDER_BYTES * len(escrow["approved_builders"])
    account = view.ctx.account(accounts.escrow)
    assert account is not None
    due = rent_exempt_minimum(length) - account.lamports
    if due > 0:
        refs = [AccountRef(accounts.payer, True, True), AccountRef(accounts.escrow, False, True)]
        view.ctx.invoke(SYSTEM_PROGRAM_ID, refs, _SYSTEM_TRANSFER.pack(SYSTEM_TRANSFER, due))
        account = view.ctx.account(accounts.escrow)
        assert account is not None
    refund = max(0, -due)  # a realloc to fewer bytes hands the payer what its rent no longer needs
    resized = account.data[:length].ljust(length, b"\0")
    view.ctx.write(accounts.escrow, replace(account, data=resized, lamports=account.lamports - refund))
    if refund:
        payer = view.ctx.account(accounts.payer)
        assert payer is not None
        view.ctx.write(accounts.payer, replace(payer, lamports=payer.lamports + refund))
    rows.extend(_empty_row() for _ in range(num_orders - len(rows)))
    view.save(accounts.escrow)


@dataclass(frozen=True)
class TakerEscrow:
    key: Pubkey
    escrow: dict[str, Any]
    accelerated: bool  # the referrer's UserStats was passed and marks it Accelerated


def taker_escrow(view: VelocityView, authority: Pubkey, stats: dict[str, Any]) -> TakerEscrow | None:
    """The taker's escrow among the accounts, when the program reads one; 6324 when it must."""
    if not view.state()["feature_bit_flags"] & BUILDER_CODES:
        return None
    keys = view.keys("RevenueShareEscrow")
    if not keys:
        if stats["referrer_status"] & BUILDER_REFERRAL:
            raise fail("UnableToLoadRevenueShareAccount", "the taker's revenue share escrow is missing")
        return None
    escrow = view.get(keys[0], "RevenueShareEscrow")
    if escrow["authority"] != authority:
        raise fail("RevenueShareEscrowAuthorityMismatch", "the escrow belongs to another wallet")
    stats_passed = [view.get(key, "UserStats") for key in view.keys("UserStats")]
    accelerated = any(
        other["authority"] == escrow["referrer"] and other["accelerated_referral_status"] & ACCELERATED
        for other in stats_passed
    )
    return TakerEscrow(keys[0], escrow, accelerated)


def _proportion(value: int, numerator: int, denominator: int) -> int:
    """The program's proportion: rounded up when the share is over half, else down."""
    if numerator == denominator:
        return value
    if denominator // 2 < numerator < denominator:
        return -(-value * numerator // denominator)
    return value * numerator // denominator


def _referral_row(escrow: dict[str, Any], market_index: int) -> dict[str, Any] | None:
    rows = escrow["orders"]
    for row in rows:
        if row["bit_flags"] & REFERRAL and row["market_index"] == market_index and row["market_type"] == "Perp":
            return row
    free = next((row for row in rows if not row["bit_flags"] & (OPEN | COMPLETED | REFERRAL)), None)
    if free is not None:
        free.update(_empty_row(), market_index=market_index, market_type="Perp", bit_flags=REFERRAL)
    return free


def refer(view: VelocityView, taker: TakerEscrow | None, market: dict[str, Any], fee: int) -> tuple[int, int]:
    """(referee discount, referrer reward) of one fill's taker fee, the reward accrued."""
    if taker is None or taker.escrow["referrer"] == Pubkey.default():
        return 0, 0
    row = _referral_row(taker.escrow, market["market_index"])
    if row is None:
        return 0, 0
    tier = view.state()["perp_fee_structure"]["fee_tiers"][0]
    discount = _proportion(fee, tier["referee_fee_numerator"], tier["referee_fee_denominator"])
    numerator = ACCELERATED_REWARD_NUMERATOR if taker.accelerated else tier["referrer_reward_numerator"]
    reward = _proportion(fee, numerator, tier["referrer_reward_denominator"])
    row["fees_accrued"] += reward
    market["pending_revenue_share"] += reward
    view.save(taker.key)
    return discount, reward

