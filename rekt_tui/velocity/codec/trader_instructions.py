"""The instructions a trader signs, with every derivable account derived here.

Callers pass what only they know (authority, token accounts, the market's book accounts read
from its PerpMarket, the remaining accounts margin checks read); the user, user stats, state,
signer and vault addresses are derived from the program's seeds so they cannot be mistyped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey

from rekt_tui.velocity.codec.binary import CodecError, Value
from rekt_tui.velocity.codec.order_params import CancelSides, OrderModification, OrderParams, OrderRef
from rekt_tui.velocity.codec.program import VelocityProgram

NAME_BYTES = 32
Remaining = Sequence[AccountMeta]


@dataclass(frozen=True)
class Referrer:
    """The referrer's User and UserStats, passed writable after `initialize_user`'s accounts."""

    user: Pubkey
    user_stats: Pubkey


@dataclass(frozen=True)
class BookAccounts:
    """A perp market's on-chain book: `PerpMarket.quoter_slab` and `PerpMarket.clob_market`."""

    quoter_slab: Pubkey
    clob_market: Pubkey


def encode_name(name: str) -> bytes:
    """A sub-account name as the program stores it: UTF-8, space-padded to 32 bytes."""
    raw = name.encode("utf-8")
    if len(raw) > NAME_BYTES:
        raise CodecError(f"The account name is {len(raw)} bytes; the program holds at most {NAME_BYTES}.")
    return raw.ljust(NAME_BYTES, b" ")


def initialize_user_stats(program: VelocityProgram, authority: Pubkey, payer: Pubkey) -> Instruction:
    accounts = {
        "user_stats": program.pdas.user_stats(authority),
        "state": program.pdas.state(),
        "authority": authority,
        "payer": payer,
    }
    return program.instructions.build("initialize_user_stats", {}, accounts)


def initialize_user(
    program: VelocityProgram,
    authority: Pubkey,
    payer: Pubkey,
    sub_account_id: int,
    name: str,
    referrer: Referrer | None = None,
) -> Instruction:
    user = program.pdas.user(authority, sub_account_id)
    accounts = {
        "user": user,
        "user_conditions": program.pdas.user_conditions(user),
        "user_stats": program.pdas.user_stats(authority),
        "state": program.pdas.state(),
        "authority": authority,
        "payer": payer,
    }
    remaining: list[AccountMeta] = []
    if referrer is not None:
        remaining = [AccountMeta(referrer.user, False, True), AccountMeta(referrer.user_stats, False, True)]
    args: dict[str, Value] = {"sub_account_id": sub_account_id, "name": encode_name(name)}
    return program.instructions.build("initialize_user", args, accounts, remaining)


def initialize_revenue_share_escrow(
    program: VelocityProgram, authority: Pubkey, payer: Pubkey, num_orders: int
) -> Instruction:
    """The escrow through which the relaunch pays referral; it copies `UserStats.referrer`."""
    accounts = {
        "escrow": program.pdas.revenue_share_escrow(authority),
        "authority": authority,
        "user_stats": program.pdas.user_stats(authority),
        "state": program.pdas.state(),
        "payer": payer,
    }
    return program.instructions.build("initialize_revenue_share_escrow", {"num_orders": num_orders}, accounts)


def resize_revenue_share_escrow_orders(
    program: VelocityProgram, authority: Pubkey, payer: Pubkey, num_orders: int
) -> Instruction:
    """More order slots for the escrow (never fewer); the payer tops up its rent."""
    accounts = {"escrow": program.pdas.revenue_share_escrow(authority), "authority": authority, "payer": payer}
    return program.instructions.build("resize_revenue_share_escrow_orders", {"num_orders": num_orders}, accounts)


def _user_accounts(program: VelocityProgram, authority: Pubkey, sub_account_id: int) -> dict[str, Pubkey | None]:
    return {"user": program.pdas.user(authority, sub_account_id), "authority": authority}


def _transfer(
    program: VelocityProgram,
    name: str,
    authority: Pubkey,
    sub_account_id: int,
    market_index: int,
    amount: int,
    user_token_account: Pubkey,
    token_program: Pubkey,
    reduce_only: bool,
    remaining: Remaining,
) -> Instruction:
    accounts = _user_accounts(program, authority, sub_account_id) | {
        "state": program.pdas.state(),
        "user_stats": program.pdas.user_stats(authority),
        "spot_market_vault": program.pdas.spot_market_vault(market_index),
        "user_token_account": user_token_account,
        "token_program": token_program,
    }
    if name == "withdraw":
        accounts["velocity_signer"] = program.pdas.signer()
    args: dict[str, Value] = {"market_index": market_index, "amount": amount, "reduce_only": reduce_only}
    return program.instructions.build(name, args, accounts, remaining)


def deposit(
    program: VelocityProgram, authority: Pubkey, sub_account_id: int, market_index: int, amount: int,
    user_token_account: Pubkey, token_program: Pubkey, reduce_only: bool = False, remaining: Remaining = (),
) -> Instruction:
    return _transfer(program, "deposit", authority, sub_account_id, market_index, amount,
                     user_token_account, token_program, reduce_only, remaining)


def withdraw(
    program: VelocityProgram, authority: Pubkey, sub_account_id: int, market_index: int, amount: int,
    user_token_account: Pubkey, token_program: Pubkey, reduce_only: bool = False, remaining: Remaining = (),
) -> Instruction:
    return _transfer(program, "withdraw", authority, sub_account_id, market_index, amount,
                     user_token_account, token_program, reduce_only, remaining)


def _book_accounts(
    program: VelocityProgram, authority: Pubkey, sub_account_id: int, book: BookAccounts
) -> dict[str, Pubkey | None]:
    return _user_accounts(program, authority, sub_account_id) | {
        "quoter_slab": book.quoter_slab,
        "clob_market": book.clob_market,
    }


def place_and_take_perp_order_v1(
    program: VelocityProgram, authority: Pubkey, sub_account_id: int, params: OrderParams, book: BookAccounts,
    success_condition: int | None = None, flow_authority: Pubkey | None = None, remaining: Remaining = (),
) -> Instruction:
    accounts = _book_accounts(program, authority, sub_account_id, book) | {
        "state": program.pdas.state(),
        "user_stats": program.pdas.user_stats(authority),
        "flow_authority": flow_authority,
    }
    args: dict[str, Value] = {"args": {"params": params.to_value(), "success_condition": success_condition}}
    return program.instructions.build("place_and_take_perp_order_v1", args, accounts, remaining)


def place_and_make_perp_order_v1(
    program: VelocityProgram, authority: Pubkey, sub_account_id: int, params: OrderParams, book: BookAccounts,
    activation_delay_slots: int | None = None, flow_authority: Pubkey | None = None, remaining: Remaining = (),
) -> Instruction:
    accounts = _book_accounts(program, authority, sub_account_id, book) | {
        "state": program.pdas.state(),
        "user_stats": program.pdas.user_stats(authority),
        "flow_authority": flow_authority,
    }
    args: dict[str, Value] = {"args": {"params": params.to_value(), "activation_delay_slots": activation_delay_slots}}
    return program.instructions.build("place_and_make_perp_order_v1", args, accounts, remaining)


def place_trigger_orders_v1(
    program: VelocityProgram, authority: Pubkey, sub_account_id: int, params: Sequence[OrderParams],
    remaining: Remaining = (),
) -> Instruction:
    accounts = _user_accounts(program, authority, sub_account_id) | {"state": program.pdas.state()}
    args: dict[str, Value] = {"args": {"params": [p.to_value() for p in params]}}
    return program.instructions.build("place_trigger_orders_v1", args, accounts, remaining)


def cancel_order_v1(
    program: VelocityProgram, authority: Pubkey, sub_account_id: int, market_index: int, order_ref: OrderRef,
    book: BookAccounts, remaining: Remaining = (),
) -> Instruction:
    accounts = _book_accounts(program, authority, sub_account_id, book) | {
        "perp_market": program.pdas.perp_market(market_index),
    }
    args: dict[str, Value] = {"params": {"market_index": market_index, "order_ref": order_ref.to_value()}}
    return program.instructions.build("cancel_order_v1", args, accounts, remaining)


def cancel_orders_v1(
    program: VelocityProgram, authority: Pubkey, sub_account_id: int, market_index: int, sides: CancelSides,
    book: BookAccounts, remaining: Remaining = (),
) -> Instruction:
    accounts = _book_accounts(program, authority, sub_account_id, book)
    args: dict[str, Value] = {"params": {"market_index": market_index, "sides": sides}}
    return program.instructions.build("cancel_orders_v1", args, accounts, remaining)


def modify_order_v1(
    program: VelocityProgram, authority: Pubkey, sub_account_id: int, change: OrderModification,
    book: BookAccounts, flow_authority: Pubkey | None = None, remaining: Remaining = (),
) -> Instruction:
    accounts = _book_accounts(program, authority, sub_account_id, book) | {
        "state": program.pdas.state(),
        "flow_authority": flow_authority,
    }
    return program.instructions.build("modify_order_v1", {"params": change.to_value()}, accounts, remaining)


def cancel_order(
    program: VelocityProgram, authority: Pubkey, sub_account_id: int, order_id: int | None,
    remaining: Remaining = (),
) -> Instruction:
    """Cancels an order held in `User.orders` (an armed trigger); None cancels the last placed."""
    accounts = _user_accounts(program, authority, sub_account_id) | {"state": program.pdas.state()}
    return program.instructions.build("cancel_order", {"order_id": order_id}, accounts, remaining)


def settle_pnl(
    program: VelocityProgram, authority: Pubkey, sub_account_id: int, market_index: int,
    remaining: Remaining = (),
) -> Instruction:
    accounts = _user_accounts(program, authority, sub_account_id) | {
        "state": program.pdas.state(),
        "spot_market_vault": program.pdas.spot_market_vault(0),
    }
    return program.instructions.build("settle_pnl", {"market_index": market_index}, accounts, remaining)
