"""Deposits and withdrawals of the quote (USDT) and SOL: tokens move by CPI to the Token program.

The spot market (writable) and, for SOL, its oracle come among the remaining accounts, as on
the relaunch. A withdrawal never opens a borrow on the localnet and must leave the account
above its initial margin, counting every perp position (whose markets and oracles the client
passes); otherwise it fails with InsufficientCollateral (6003).
"""

import struct
from typing import Any

from solders.pubkey import Pubkey

from rekt_localnet.keys import TOKEN_PROGRAM_ID
from rekt_localnet.runtime.program import AccountRef, InstructionError
from rekt_localnet.token import TokenAccount

from .balances import change_deposit, find_position, position_for, token_amount
from .codec import program
from .constants import PRICE_PRECISION
from .errors import fail
from .events import emit_deposit
from .margin import require_initial_margin
from .view import VelocityView

_TRANSFER = struct.Struct("<BQ")
TOKEN_TRANSFER = 3
EXCHANGE_DEPOSIT_PAUSED = 2
EXCHANGE_WITHDRAW_PAUSED = 4


def authorized_user(view: VelocityView, user_key: Pubkey, authority: Pubkey) -> dict[str, Any]:
    """The User the authority (or its delegate) signs for."""
    user = view.get(user_key, "User")
    if not view.is_signer(authority):
        raise InstructionError("MissingRequiredSignature", "the user's authority must sign")
    if authority not in (user["authority"], user["delegate"]):
        raise InstructionError(2001, "AnchorError caused by account: user. Error Code: ConstraintHasOne. Error Number: 2001.")
    return user


def _market(view: VelocityView, index: int, vault: Pubkey) -> dict[str, Any]:
    key, market = view.spot_market(index)
    if vault != program().pdas.spot_market_vault(index) or vault != market["vault"]:
        raise InstructionError(2006, "AnchorError caused by account: spot_market_vault. Error Code: ConstraintSeeds. Error Number: 2006.")
    view.save(key)
    return market


def _transfer(view: VelocityView, source: Pubkey, destination: Pubkey, authority: Pubkey, amount: int, pda: bool) -> None:
    refs = [AccountRef(source, False, True), AccountRef(destination, False, True), AccountRef(authority, True, False)]
    view.ctx.invoke(TOKEN_PROGRAM_ID, refs, _TRANSFER.pack(TOKEN_TRANSFER, amount), signers=[authority] if pda else [])


def _value(view: VelocityView, market: dict[str, Any], amount: int) -> tuple[int, int]:
    """(oracle price, the amount's value in 1e6), as total deposits/withdrawals count it."""
    price = view.oracle_price(market["oracle"]) if market["market_index"] else PRICE_PRECISION
    return price, amount * price // 10 ** market["decimals"]


def deposit(view: VelocityView, accounts: Any, args: dict[str, Any]) -> None:
    user = authorized_user(view, accounts.user, accounts.authority)
    if view.state()["exchange_status"] & EXCHANGE_DEPOSIT_PAUSED:
        raise fail("ExchangePaused", "deposits are paused")
    index, amount = args["market_index"], args["amount"]
    market = _market(view, index, accounts.spot_market_vault)
    if amount == 0:
        raise fail("InsufficientDeposit", "deposit amount is zero")
    position = position_for(user, index)
    change_deposit(position, market, amount)
    price, value = _value(view, market, amount)
    user["total_deposits"] += value
    position["cumulative_deposits"] += amount
    user["last_active_slot"] = view.ctx.clock.slot
    _transfer(view, accounts.user_token_account, accounts.spot_market_vault, accounts.authority, amount, pda=False)
    emit_deposit(view, accounts.user, user, market, amount, False, price, token_amount(position, market))
    view.save(accounts.user)


def withdraw(view: VelocityView, accounts: Any, args: dict[str, Any]) -> None:
    user = authorized_user(view, accounts.user, accounts.authority)
    state = view.state()
    if state["exchange_status"] & EXCHANGE_WITHDRAW_PAUSED:
        raise fail("ExchangePaused", "withdrawals are paused")
    if accounts.velocity_signer != state["signer"]:
        raise InstructionError(2012, "AnchorError caused by account: velocity_signer. Error Code: ConstraintAddress. Error Number: 2012.")
    index, amount = args["market_index"], args["amount"]
    market = _market(view, index, accounts.spot_market_vault)
    existing = find_position(user, index)
    held = 0 if existing is None else token_amount(existing, market)
    if args["reduce_only"]:
        if held <= 0:
            raise fail("ReduceOnlyWithdrawIncreasedRisk", "there is no deposit to withdraw")
        amount = min(amount, held)
    position = position_for(user, index)
    change_deposit(position, market, -amount)
    vault = TokenAccount.unpack(view.ctx.account(accounts.spot_market_vault).data)
    if amount > vault.amount:
        raise fail("SpotMarketInsufficientDeposits", f"the vault holds {vault.amount}, {amount} asked")
    price, value = _value(view, market, amount)
    user["total_withdraws"] += value
    position["cumulative_deposits"] -= amount
    user["last_active_slot"] = view.ctx.clock.slot
    require_initial_margin(view, user, "this withdrawal")
    _transfer(view, accounts.spot_market_vault, accounts.user_token_account, accounts.velocity_signer, amount, pda=True)
    emit_deposit(view, accounts.user, user, market, amount, True, price, token_amount(position, market))
    view.save(accounts.user)
