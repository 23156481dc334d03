from dataclasses import replace
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from rekt_tui.domain.checklist import (
    ChecklistAction,
    ChecklistFacts,
    ChecklistRules,
    ItemState,
    build_checklist,
    start_trading_summary,
)
from rekt_tui.domain.strategy import DEFAULT_PRESETS
from rekt_tui.domain.venue_labels import VELOCITY

OURS = "C4nN8P9G1NTRoXmtNUv6wE1x6jZXMGZ75af7LUxjHzQV"
THEIRS = "11111111111111111111111111111111"
RULES = ChecklistRules(
    expected_referrer=OURS, gas_reserve_sol=Decimal("0.002"), min_trading_collateral_usd=Decimal(10),
    account_rent_lamports=30_000_000, fee_lamports=20_000,
)
NEW = ChecklistFacts(wallet_lamports=0, drift_account_exists=False, recorded_referrer=None, collateral_quote=0,
                     strategy=None, confirmed=False)
READY = ChecklistFacts(wallet_lamports=50_000_000, drift_account_exists=True, recorded_referrer=OURS,
                       collateral_quote=25_000_000, strategy=DEFAULT_PRESETS["balanced"], confirmed=True)


def states(facts, rules=RULES):
    return {item.id: item.state for item in build_checklist(facts, rules).items}


def item(facts, id_, rules=RULES):
    return next(i for i in build_checklist(facts, rules).items if i.id == id_)


def test_a_new_session_starts_with_funding():
    checklist = build_checklist(NEW, RULES)
    assert [i.id for i in checklist.items] == [
        "wallet_funded", "drift_account", "referrer_verified", "collateral", "strategy", "confirmed"
    ]
    assert states(NEW) == {
        "wallet_funded": ItemState.TODO, "drift_account": ItemState.BLOCKED, "referrer_verified": ItemState.BLOCKED,
        "collateral": ItemState.BLOCKED, "strategy": ItemState.TODO, "confirmed": ItemState.BLOCKED,
    }
    funded = checklist.items[0]
    assert funded.action is ChecklistAction.FUND_WALLET
    assert funded.detail == (
        "The session wallet holds 0.0000 SOL; fund it to at least 0.0320 SOL "
        "(rent, fees and the 0.002 SOL gas reserve)."
    )
    assert not checklist.ready_to_trade


def test_the_wallet_needs_rent_only_until_the_account_exists():
    short_of_rent = replace(NEW, wallet_lamports=10_000_000)
    assert item(short_of_rent, "wallet_funded").state is ItemState.TODO
    assert item(replace(short_of_rent, drift_account_exists=True), "wallet_funded").state is ItemState.DONE
    just_enough = replace(NEW, wallet_lamports=32_020_000)
    assert item(just_enough, "wallet_funded").state is ItemState.DONE
    assert item(just_enough, "drift_account").action is ChecklistAction.INITIALIZE_ACCOUNT


def test_every_line_done_means_ready():
    checklist = build_checklist(READY, RULES)
    assert checklist.ready_to_trade
    assert all(i.action is None for i in checklist.items)


def test_referrer_not_yet_recorded_blocks_trading_until_verified():
    facts = replace(READY, recorded_referrer=None)
    line = item(facts, "referrer_verified")
    assert (line.state, line.action) == (ItemState.TODO, ChecklistAction.VERIFY_REFERRER)
    assert item(facts, "confirmed").state is ItemState.BLOCKED
    assert not build_checklist(facts, RULES).ready_to_trade


def test_a_different_referrer_is_a_blocking_error():
    line = item(replace(READY, recorded_referrer=THEIRS), "referrer_verified")
    assert line.state is ItemState.BLOCKED and line.action is None
    assert f"records referrer {THEIRS}, not {OURS}" in line.detail
    assert "start a new session wallet" in line.detail


def test_no_configured_referrer_has_nothing_to_verify():
    rules = replace(RULES, expected_referrer=None)
    assert build_checklist(replace(READY, recorded_referrer=None), rules).ready_to_trade


def test_collateral_must_reach_the_minimum():
    line = item(replace(READY, collateral_quote=4_000_000), "collateral")
    assert (line.state, line.action) == (ItemState.TODO, ChecklistAction.DEPOSIT)
    assert line.detail == (
        "Drift holds $4.00; deposit SOL or USDC worth at least $6.00 more to reach the $10.00 minimum."
    )
    assert item(replace(READY, collateral_quote=10_000_000), "collateral").state is ItemState.DONE


def test_strategy_and_confirmation():
    no_strategy = replace(READY, strategy=None, confirmed=False)
    assert item(no_strategy, "strategy").action is ChecklistAction.CHOOSE_STRATEGY
    assert item(no_strategy, "confirmed").state is ItemState.BLOCKED
    unconfirmed = replace(READY, confirmed=False)
    assert item(unconfirmed, "confirmed").action is ChecklistAction.CONFIRM_START
    assert "max leverage 5x, slippage 50 bps, 5 s auctions" in item(READY, "strategy").detail


def test_start_trading_summary_names_strategy_leverage_slippage_auction_and_collateral():
    assert start_trading_summary(DEFAULT_PRESETS["high_conviction"], 1_234_560_000) == (
        "Start trading on Drift with the high_conviction strategy (max leverage 3x, slippage 30 bps, "
        "8 s auctions) on $1,234.56 of collateral?"
    )


@given(
    st.integers(0, 10**10), st.booleans(), st.sampled_from([None, OURS, THEIRS]), st.integers(-10**8, 10**9),
    st.sampled_from([None, *DEFAULT_PRESETS.values()]), st.booleans(),
)
def test_ready_only_when_every_chain_fact_holds(lamports, exists, referrer, collateral, strategy, confirmed):
    facts = ChecklistFacts(lamports, exists, referrer, collateral, strategy, confirmed)
    checklist = build_checklist(facts, RULES)
    holds = (lamports >= 2_020_000 + (0 if exists else 30_000_000) and exists and referrer == OURS
             and collateral >= 10_000_000 and strategy is not None and confirmed)
    assert checklist.ready_to_trade == holds
    for line in checklist.items:
        assert (line.action is not None) == (line.state is ItemState.TODO)
        assert line.detail.endswith(".") and "\n" not in line.detail


def test_a_referrer_the_venue_would_not_pay_waits_for_init_to_open_the_escrow():
    rules = replace(RULES, labels=VELOCITY)
    waiting = item(replace(READY, referral_setup_needed=True), "referrer_verified", rules)
    assert (waiting.state, waiting.action) == (ItemState.TODO, ChecklistAction.INITIALIZE_ACCOUNT)
    assert "pays referral only through a referral escrow this account lacks" in waiting.detail
    assert not build_checklist(replace(READY, referral_setup_needed=True), rules).ready_to_trade
    assert item(READY, "referrer_verified", rules).state is ItemState.DONE
