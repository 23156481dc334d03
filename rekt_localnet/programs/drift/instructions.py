"""Drift instructions the localnet itself sends (makers, keeper), built as driftpy would.

Account lists follow the IDL's order; markets and oracles go in the remaining accounts
(oracles, then spot markets, then perp markets), writable where the instruction
changes them.
"""

from collections.abc import Sequence

from driftpy.addresses import (
    get_perp_market_public_key,
    get_spot_market_public_key,
    get_spot_market_vault_public_key,
    get_state_public_key,
    get_user_account_public_key,
    get_user_stats_account_public_key,
)
from driftpy.types import MarketType, OrderParams
from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey

from rekt_localnet.encoding import drift_coder, padded_name
from rekt_localnet.genesis import oracle_address
from rekt_localnet.keys import DRIFT_PROGRAM_ID, RENT_SYSVAR_ID, SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID
from rekt_localnet.markets import PERP_MARKETS, SPOT_MARKETS

STATE = get_state_public_key(DRIFT_PROGRAM_ID)


def _meta(key: Pubkey, signer: bool = False, writable: bool = False) -> AccountMeta:
    return AccountMeta(key, signer, writable)


def _ix(name: str, args: dict, accounts: Sequence[AccountMeta]) -> Instruction:
    return Instruction(DRIFT_PROGRAM_ID, drift_coder().instruction.encode(name, args), list(accounts))


def user_key(authority: Pubkey, sub_account_id: int = 0) -> Pubkey:
    return get_user_account_public_key(DRIFT_PROGRAM_ID, authority, sub_account_id)


def stats_key(authority: Pubkey) -> Pubkey:
    return get_user_stats_account_public_key(DRIFT_PROGRAM_ID, authority)


def market_accounts(perp: Sequence[int] = (), spot: Sequence[int] = (0,), writable: bool = False) -> list[AccountMeta]:
    oracles = [oracle_address(SPOT_MARKETS[i].asset) for i in spot]
    oracles += [oracle_address(PERP_MARKETS[i].asset) for i in perp]
    metas = [_meta(key) for key in dict.fromkeys(oracles)]
    metas += [_meta(get_spot_market_public_key(DRIFT_PROGRAM_ID, i), writable=writable) for i in spot]
    metas += [_meta(get_perp_market_public_key(DRIFT_PROGRAM_ID, i), writable=writable) for i in perp]
    return metas


def initialize_user_stats(authority: Pubkey) -> Instruction:
    return _ix("initialize_user_stats", {}, [
        _meta(stats_key(authority), writable=True), _meta(STATE, writable=True), _meta(authority, True),
        _meta(authority, True, True), _meta(RENT_SYSVAR_ID), _meta(SYSTEM_PROGRAM_ID),
    ])


def initialize_user(authority: Pubkey, name: str) -> Instruction:
    return _ix("initialize_user", {"sub_account_id": 0, "name": padded_name(name)}, [
        _meta(user_key(authority), writable=True), _meta(stats_key(authority), writable=True),
        _meta(STATE, writable=True), _meta(authority, True), _meta(authority, True, True),
        _meta(RENT_SYSVAR_ID), _meta(SYSTEM_PROGRAM_ID),
    ])


def deposit(authority: Pubkey, market_index: int, amount: int, token_account: Pubkey) -> Instruction:
    return _ix("deposit", {"market_index": market_index, "amount": amount, "reduce_only": False}, [
        _meta(STATE), _meta(user_key(authority), writable=True), _meta(stats_key(authority), writable=True),
        _meta(authority, True), _meta(get_spot_market_vault_public_key(DRIFT_PROGRAM_ID, market_index), writable=True),
        _meta(token_account, writable=True), _meta(TOKEN_PROGRAM_ID),
        *market_accounts(spot=sorted({0, market_index}), writable=True),
    ])


def _market_of(spot: bool, market_index: int) -> list[AccountMeta]:
    return market_accounts(spot=[0, market_index]) if spot else market_accounts(perp=[market_index])


def cancel_orders(authority: Pubkey, market_index: int, *, spot: bool = False) -> Instruction:
    market_type = MarketType.Spot() if spot else MarketType.Perp()
    args = {"market_type": market_type, "market_index": market_index, "direction": None}
    return _ix("cancel_orders", args, [
        _meta(STATE), _meta(user_key(authority), writable=True), _meta(authority, True),
        *_market_of(spot, market_index),
    ])


def place_orders(
    authority: Pubkey, market_index: int, orders: Sequence[OrderParams], *, spot: bool = False
) -> Instruction:
    return _ix("place_orders", {"params": list(orders)}, [
        _meta(STATE), _meta(user_key(authority), writable=True), _meta(authority, True),
        *_market_of(spot, market_index),
    ])


def _maker_accounts(makers: Sequence[tuple[Pubkey, Pubkey]]) -> list[AccountMeta]:
    """(User, authority) pairs as the User and UserStats accounts fills name."""
    metas = []
    for user, authority in makers:
        metas += [_meta(user, writable=True), _meta(stats_key(authority), writable=True)]
    return metas


def fill_perp_order(
    filler: Pubkey, user: Pubkey, authority: Pubkey, order_id: int, market_index: int,
    makers: Sequence[tuple[Pubkey, Pubkey]] = (),
) -> Instruction:
    return _ix("fill_perp_order", {"order_id": order_id, "maker_order_id": None}, [
        _meta(STATE), _meta(filler, True), _meta(user_key(filler), writable=True),
        _meta(stats_key(filler), writable=True), _meta(user, writable=True), _meta(stats_key(authority), writable=True),
        *market_accounts(perp=[market_index], writable=True), *_maker_accounts(makers),
    ])


def trigger_order(filler: Pubkey, user: Pubkey, order_id: int, market_index: int) -> Instruction:
    return _ix("trigger_order", {"order_id": order_id}, [
        _meta(STATE), _meta(filler, True), _meta(user_key(filler), writable=True), _meta(user, writable=True),
        *market_accounts(perp=[market_index]),
    ])


def liquidate_perp(
    liquidator: Pubkey, user: Pubkey, authority: Pubkey, market_index: int, max_base: int
) -> Instruction:
    args = {"market_index": market_index, "liquidator_max_base_asset_amount": max_base, "limit_price": None}
    return _ix("liquidate_perp", args, [
        _meta(STATE), _meta(liquidator, True), _meta(user_key(liquidator), writable=True),
        _meta(stats_key(liquidator), writable=True), _meta(user, writable=True),
        _meta(stats_key(authority), writable=True),
        *market_accounts(perp=[spec.market_index for spec in PERP_MARKETS], spot=[0, 1], writable=True),
    ])


def fill_spot_order(
    filler: Pubkey, user: Pubkey, authority: Pubkey, order_id: int, market_index: int,
    makers: Sequence[tuple[Pubkey, Pubkey]] = (),
) -> Instruction:
    return _ix("fill_spot_order", {"order_id": order_id, "fulfillment_type": None, "maker_order_id": None}, [
        _meta(STATE), _meta(filler, True), _meta(user_key(filler), writable=True),
        _meta(stats_key(filler), writable=True), _meta(user, writable=True), _meta(stats_key(authority), writable=True),
        *market_accounts(spot=[0, market_index], writable=True), *_maker_accounts(makers),
    ])


def update_funding_rate(market_index: int) -> Instruction:
    market = get_perp_market_public_key(DRIFT_PROGRAM_ID, market_index)
    oracle = oracle_address(PERP_MARKETS[market_index].asset)
    accounts = [_meta(STATE), _meta(market, writable=True), _meta(oracle)]
    return _ix("update_funding_rate", {"market_index": market_index}, accounts)
