"""Deposits and withdrawals: tokens move by CPI to the Token program, balances by interest.

A deposit pulls tokens from the user's token account (a temporary wrapped-SOL account
for SOL, which driftpy creates, funds and closes around the instruction) into the
market's vault; a withdrawal sends them back, signed by the drift signer PDA that owns
every vault. A withdrawal may open a borrow if the user stays above initial margin.
"""

import struct
from typing import Any

from driftpy.addresses import get_spot_market_vault_public_key
from solders.pubkey import Pubkey

from rekt_localnet.keys import DRIFT_PROGRAM_ID, TOKEN_PROGRAM_ID
from rekt_localnet.runtime.program import AccountRef, InstructionError
from rekt_localnet.token import TokenAccount

from .constants import (
    EXCHANGE_DEPOSIT_PAUSED, EXCHANGE_WITHDRAW_PAUSED, PRICE_PRECISION, QUOTE_SPOT_MARKET_INDEX, SPOT_OP_DEPOSIT,
    SPOT_OP_WITHDRAW,
)  # fmt: skip
from .errors import fail
from .events import emit_deposit
from .margin import require_initial_margin
from .spot import change_balance, find_position, is_borrow, position_for, token_amount
from .view import DriftView

_TRANSFER = struct.Struct("<BQ")
TOKEN_TRANSFER = 3


def authorized_user(view: DriftView, user_key: Pubkey, authority: Pubkey) -> Any:
    """The User the authority (or its delegate) signs for."""
    user = view.get(user_key, "User")
    if not any(ref.key == authority and ref.is_signer for ref in view.ctx.accounts):
        raise InstructionError("MissingRequiredSignature", "the user's authority must sign")
    if authority not in (user.authority, user.delegate):
        raise InstructionError("ConstraintHasOne", "the signer is neither the user's authority nor its delegate")
    return user


def _market_and_vault(view: DriftView, index: int, vault: Pubkey) -> Any:
    market = view.spot_market_to_update(index)
    if vault != get_spot_market_vault_public_key(DRIFT_PROGRAM_ID, index) or vault != market.vault:
        raise InstructionError("ConstraintSeeds", "spot market vault does not belong to the market")
    return market


def _transfer(view: DriftView, source: Pubkey, destination: Pubkey, authority: Pubkey, amount: int, pda: bool) -> None:
    refs = [AccountRef(source, False, True), AccountRef(destination, False, True), AccountRef(authority, True, False)]
    view.ctx.invoke(TOKEN_PROGRAM_ID, refs, _TRANSFER.pack(TOKEN_TRANSFER, amount), signers=[authority] if pda else [])


def _oracle(view: DriftView, market: Any) -> int:
    """The market's oracle price if the instruction names its oracle, else 0 (the quote
    market's oracle is the default key)."""
    return view.oracle_price(market.oracle) if market.oracle in view.keys("PrelaunchOracle") else 0


def _value(market: Any, amount: int, oracle_price: int) -> int:
    """What the user's total deposits (or withdrawals) grow by: the amount's value (1e6) at
    the oracle, as the program counts it; the quote market's price is $1."""
    price = PRICE_PRECISION if market.market_index == QUOTE_SPOT_MARKET_INDEX else oracle_price
    return amount * price // 10**market.decimals


def deposit(view: DriftView, accounts: Any, args: Any) -> None:
    user = authorized_user(view, accounts.user, accounts.authority)
    if view.state().exchange_status & EXCHANGE_DEPOSIT_PAUSED:
        raise fail("ExchangePaused", "deposits are paused")
    market = _market_and_vault(view, args.market_index, accounts.spot_market_vault)
    if market.paused_operations & SPOT_OP_DEPOSIT:
        raise fail("MarketActionPaused", f"deposits into spot market {args.market_index} are paused")
    if args.amount == 0:
        raise fail("InsufficientDeposit", "deposit amount is zero")
    amount = args.amount
    if args.reduce_only:
        existing = find_position(user, args.market_index)
        if existing is None or not is_borrow(existing):
            raise fail("CouldNotFindSpotPosition", "a reduce-only deposit needs a borrow to repay")
        amount = min(amount, -token_amount(existing, market))
    position = position_for(user, args.market_index)
    change_balance(position, market, amount)
    user.total_deposits += _value(market, amount, _oracle(view, market))
    position.cumulative_deposits += amount
    user.last_active_slot = view.ctx.clock.slot
    _transfer(view, accounts.user_token_account, accounts.spot_market_vault, accounts.authority, amount, pda=False)
    emit_deposit(view, accounts.user, user, market, amount, False, _oracle(view, market))
    view.save(accounts.user)


def withdraw(view: DriftView, accounts: Any, args: Any) -> None:
    user = authorized_user(view, accounts.user, accounts.authority)
    state = view.state()
    if state.exchange_status & EXCHANGE_WITHDRAW_PAUSED:
        raise fail("ExchangePaused", "withdrawals are paused")
    market = _market_and_vault(view, args.market_index, accounts.spot_market_vault)
    if market.paused_operations & SPOT_OP_WITHDRAW:
        raise fail("MarketWithdrawPaused", f"withdrawals from spot market {args.market_index} are paused")
    if accounts.drift_signer != state.signer:
        raise InstructionError("ConstraintAddress", "drift signer is not the State's signer")
    existing = find_position(user, args.market_index)
    amount = args.amount
    if args.reduce_only:
        if existing is None or is_borrow(existing) or token_amount(existing, market) == 0:
            raise fail("ReduceOnlyWithdrawIncreasedRisk", "a reduce-only withdrawal would open a borrow")
        amount = min(amount, token_amount(existing, market))
    vault = TokenAccount.unpack(view.ctx.account(accounts.spot_market_vault).data)
    if amount > vault.amount:
        raise fail("SpotMarketInsufficientDeposits", f"the vault holds {vault.amount}, {amount} asked")
    position = position_for(user, args.market_index)
    change_balance(position, market, -amount)
    user.total_withdraws += _value(market, amount, _oracle(view, market))
    position.cumulative_deposits -= amount
    user.last_active_slot = view.ctx.clock.slot
    require_initial_margin(view, user, "this withdrawal")
    _transfer(view, accounts.spot_market_vault, accounts.user_token_account, accounts.drift_signer, amount, pda=True)
    emit_deposit(view, accounts.user, user, market, amount, True, _oracle(view, market))
    view.save(accounts.user)
