"""Drift handlers for accounts and collateral, run through a test-only context."""

from dataclasses import replace

import pytest
from driftpy.addresses import (
    get_spot_market_public_key,
    get_spot_market_vault_public_key,
    get_user_account_public_key,
    get_user_stats_account_public_key,
)

from rekt_localnet.account import Account
from rekt_localnet.encoding import encode_account
from rekt_localnet.keys import DRIFT_PROGRAM_ID, LOCALNET_REFERRER
from rekt_localnet.runtime.program import InstructionError

from .drift_harness import (
    Bank,
    assert_vaults_hold_net_deposits,
    funded_trader,
    init_user,
    init_user_stats,
    ref,
    withdraw,
)

REFERRER_USER = get_user_account_public_key(DRIFT_PROGRAM_ID, LOCALNET_REFERRER, 0)
REFERRER_STATS = get_user_stats_account_public_key(DRIFT_PROGRAM_ID, LOCALNET_REFERRER)
USDC = 10**6


def code(error: InstructionError) -> int | str:
    return error.error


def usdc_vault_amount(bank: Bank) -> int:
    return bank.token_amount(get_spot_market_vault_public_key(DRIFT_PROGRAM_ID, 0))


def test_initialize_user_records_referrer_and_flags():
    bank = Bank()
    referrer = [ref(REFERRER_USER, writable=True), ref(REFERRER_STATS, writable=True)]
    trader = funded_trader(bank, referrer=referrer)
    stats = bank.decode(trader.stats)
    assert stats.referrer == LOCALNET_REFERRER
    assert stats.referrer_status & 2 and bank.decode(REFERRER_STATS).referrer_status & 1
    assert stats.number_of_sub_accounts == 1 == stats.number_of_sub_accounts_created
    user = bank.decode(trader.user)
    assert user.authority == trader.key and bytes(user.name).rstrip() == b"Main Account"
    assert len(bank.accounts[trader.user].data) == 4376


def test_wrong_referrer_is_6068_and_changes_nothing():
    bank = Bank()
    other = funded_trader(bank)
    trader = bank.new_trader()
    bank.run(init_user_stats(trader))
    before = dict(bank.accounts)
    with pytest.raises(InstructionError) as failure:
        bank.run(init_user(trader, [ref(REFERRER_USER, writable=True), ref(other.stats, writable=True)]))
    assert code(failure.value) == 6068
    assert bank.accounts == before


def test_deposit_and_withdraw_usdc_keep_the_vault_in_step():
    bank = Bank()
    trader = funded_trader(bank, usdc=1_000 * USDC)
    user = bank.decode(trader.user)
    assert user.spot_positions[0].scaled_balance == 1_000 * USDC * 1_000
    assert usdc_vault_amount(bank) == 1_000 * USDC
    market = bank.decode(get_spot_market_public_key(DRIFT_PROGRAM_ID, 0))
    assert market.deposit_balance == 1_000 * USDC * 1_000
    bank.run(withdraw(trader, 0, 400 * USDC))
    assert usdc_vault_amount(bank) == 600 * USDC and bank.token_amount(trader.token_accounts[0]) == 400 * USDC
    bank.run(withdraw(trader, 0, 10**12, reduce_only=True))
    assert usdc_vault_amount(bank) == 0
    assert_vaults_hold_net_deposits(bank)
    assert bank.decode(trader.user).spot_positions[0].scaled_balance == 0


def test_sol_deposit_moves_native_lamports():
    bank = Bank()
    trader = funded_trader(bank, sol_tokens=2 * 10**9)
    vault = get_spot_market_vault_public_key(DRIFT_PROGRAM_ID, 1)
    assert bank.token_amount(vault) == 2 * 10**9
    assert bank.accounts[vault].lamports == 2_039_280 + 2 * 10**9
    position = next(p for p in bank.decode(trader.user).spot_positions if p.market_index == 1 and p.scaled_balance)
    assert position.scaled_balance == 2 * 10**9


def test_reduce_only_withdraw_without_deposit_is_6153():
    bank = Bank()
    trader = funded_trader(bank, usdc=100 * USDC)
    with pytest.raises(InstructionError) as failure:
        bank.run(withdraw(trader, 1, 10**9, reduce_only=True))
    assert code(failure.value) == 6153


def test_borrow_beyond_margin_is_6003_and_within_margin_lands():
    bank = Bank()
    lender = funded_trader(bank, sol_tokens=100 * 10**9)
    trader = funded_trader(bank, usdc=150 * USDC)
    with pytest.raises(InstructionError) as failure:
        bank.run(withdraw(trader, 1, 10**9))  # $150 borrow at 1.2 liability weight needs $180
    assert code(failure.value) == 6003
    bank.run(withdraw(trader, 1, 5 * 10**8))
    position = next(p for p in bank.decode(trader.user).spot_positions if p.market_index == 1 and p.scaled_balance)
    assert type(position.balance_type).__name__ == "Borrow" and position.scaled_balance == 5 * 10**8
    assert lender


def test_paused_withdrawals_are_6149():
    bank = Bank()
    trader = funded_trader(bank, usdc=100 * USDC)
    key = get_spot_market_public_key(DRIFT_PROGRAM_ID, 0)
    market = replace(bank.decode(key), paused_operations=8)
    bank.accounts[key] = Account(bank.accounts[key].lamports, DRIFT_PROGRAM_ID, encode_account("SpotMarket", market))
    with pytest.raises(InstructionError) as failure:
        bank.run(withdraw(trader, 0, USDC))
    assert code(failure.value) == 6149


def test_borrow_interest_accrues_on_the_utilization_curve():
    bank = Bank()
    funded_trader(bank, sol_tokens=100 * 10**9)
    borrower = funded_trader(bank, usdc=1_000 * USDC)
    bank.run(withdraw(borrower, 1, 5 * 10**8))
    bank.advance(1, seconds=365 * 24 * 3600)
    funded_trader(bank, sol_tokens=1)  # any balance change brings the market's interest to now
    market = bank.decode(get_spot_market_public_key(DRIFT_PROGRAM_ID, 1))
    # 0.5 % utilization on a 10 %-at-80 % curve: 0.0625 % a year for borrowers.
    assert market.cumulative_borrow_interest == 10**10 + 6_250_000
    # Depositors earn that times utilization (0.5 %), rounded down.
    assert market.cumulative_deposit_interest == 10**10 + 10**10 * 3 // 1_000_000


def test_half_a_referrer_is_6069():
    bank = Bank()
    trader = bank.new_trader()
    bank.run(init_user_stats(trader))
    with pytest.raises(InstructionError) as failure:
        bank.run(init_user(trader, [ref(REFERRER_USER, writable=True)]))
    assert code(failure.value) == 6069
