from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rekt_tui.domain.guards import OrderRefused, Preview, RefusalCode, check_order, format_leverage, reducible_base
from rekt_tui.domain.markets import MarketSpec
from rekt_tui.domain.orders import OrderKind, OrderRequest
from rekt_tui.domain.records import Direction, MarketType, OrderType
from rekt_tui.domain.strategy import DEFAULT_PRESETS
from rekt_tui.domain.trading import AccountSnapshot, Order, Position

SOL_PERP = MarketSpec("SOL-PERP", MarketType.PERP, 0, "SOL", tick_size=100, step_size=10_000_000,
                      min_order_size=10_000_000)
BALANCED = DEFAULT_PRESETS["balanced"]
ACCOUNT = AccountSnapshot(
    slot=1, received_at=datetime(2026, 11, 21, tzinfo=UTC), total_collateral=100_000_000, equity=100_000_000,
    unrealized_pnl=0, free_collateral=100_000_000, initial_margin=0, maintenance_margin=0, leverage=0, health=100,
    usdc_amount=100_000_000, sol_amount=0, positions=(), orders=(),
)
REQUEST = OrderRequest(
    market=SOL_PERP, direction=Direction.LONG, kind=OrderKind.MARKET, base_amount=1_000_000_000, price=None,
    trigger_price=None, trigger_condition=None, reduce_only=False, post_only=False, max_ts=0, user_order_id=1,
)
PREVIEW = Preview(
    entry_price=150_000_000, worst_price=150_750_000, fee=150_000, margin_required=7_500_000,
    free_collateral_after=92_350_000, leverage_after=15_000, liquidation_price_after=52_000_000,
)


def long_position(base=2_000_000_000):
    return Position(0, "SOL-PERP", base, -300_000_000, 150_000_000, 150_000_000, 0, 100_000_000)


def open_order(order_id=7, direction=Direction.LONG, market_index=0, order_type=OrderType.LIMIT):
    return Order(order_id, 3, MarketType.PERP, market_index, order_type, direction, 10**9, 0, 140_000_000,
                 None, False, False, None, 1)


def check(request=REQUEST, account=ACCOUNT, preview=PREVIEW, **kwargs):
    options = dict(open_orders=(), account_age_s=1, oracle_age_s=1, stale_after_s=10, allow_stacking=False)
    options.update(kwargs)
    return check_order(request, account, preview, BALANCED, **options)


def sentences(refusals):
    return [refusal.sentence for refusal in refusals]


def test_a_sound_order_passes():
    assert check() == []


def test_free_collateral_must_cover_margin_and_fee_with_the_largest_size_that_fits():
    account = replace(ACCOUNT, free_collateral=12_340_000)
    [refusal] = check(account=account, preview=replace(PREVIEW, free_collateral_after=12_340_000 - 50_000_000))
    assert refusal.code is RefusalCode.INSUFFICIENT_COLLATERAL
    assert refusal.sentence == (
        "Free collateral $12.34 does not cover the $50.00 initial margin and fee this order needs; "
        "reduce the size to at most 0.24 SOL or deposit more."
    )


def test_when_not_even_the_minimum_fits_the_fix_is_a_deposit():
    account = replace(ACCOUNT, free_collateral=100_000)
    [refusal] = check(account=account, preview=replace(PREVIEW, free_collateral_after=100_000 - 50_000_000))
    assert refusal.sentence.endswith("needs; deposit at least $49.90 more.")


def test_negative_free_collateral_is_refused_not_crashed():
    account = replace(ACCOUNT, free_collateral=-5_000_000)
    [refusal] = check(account=account, preview=replace(PREVIEW, free_collateral_after=-12_650_000))
    assert "Free collateral -$5.00" in refusal.sentence and "deposit at least $12.65 more" in refusal.sentence


def test_an_order_that_frees_collateral_is_not_refused_for_margin():
    account = replace(ACCOUNT, free_collateral=-5_000_000, positions=(long_position(),))
    preview = replace(PREVIEW, free_collateral_after=-1_000_000)
    assert check(replace(REQUEST, direction=Direction.SHORT), account, preview) == []


def test_leverage_above_the_strategy_cap_is_refused():
    [refusal] = check(preview=replace(PREVIEW, leverage_after=61_500))
    assert refusal.code is RefusalCode.LEVERAGE
    assert refusal.sentence == (
        "Leverage after this order would be 6.2x, above the balanced strategy's 5x; reduce the size."
    )
    assert check(preview=replace(PREVIEW, leverage_after=50_000)) == []


def test_leverage_just_above_the_cap_never_reads_as_the_cap():
    assert format_leverage(50_001) == "5.1x"
    assert format_leverage(30_000) == "3x"


def test_stacking_needs_the_override():
    [refusal] = check(open_orders=(open_order(),))
    assert refusal.code is RefusalCode.STACKING
    assert refusal.sentence == (
        "An open limit buy on SOL-PERP already exists (order #7); to place another anyway, use the stacking "
        "override (--allow-stacking, or alt+s in order entry)."
    )
    assert check(open_orders=(open_order(),), allow_stacking=True) == []


def test_a_reduce_only_stop_loss_beside_a_take_profit_is_not_stacking():
    take_profit = open_order(direction=Direction.SHORT, order_type=OrderType.TRIGGER_MARKET)
    stop_loss = replace(REQUEST, direction=Direction.SHORT, kind=OrderKind.STOP_MARKET, reduce_only=True,
                        trigger_price=140_000_000)
    assert check(stop_loss, account=replace(ACCOUNT, positions=(long_position(),)), open_orders=(take_profit,)) == []
    # A plain (not reduce-only) stop beside it still needs the override.
    [refusal] = check(replace(stop_loss, reduce_only=False), open_orders=(take_profit,))
    assert refusal.code is RefusalCode.STACKING


def test_a_resting_bracket_leg_never_makes_a_new_order_stacking():
    leg = replace(open_order(direction=Direction.SHORT, order_type=OrderType.TRIGGER_MARKET), reduce_only=True,
                  trigger_price=170_000_000, price=0)  # fmt: skip
    reverse = replace(REQUEST, direction=Direction.SHORT, base_amount=4 * 10**9)
    assert check(reverse, open_orders=(leg,)) == []
    [refusal] = check(reverse, open_orders=(replace(leg, reduce_only=False),))
    assert refusal.code is RefusalCode.STACKING


def sell(base, **changes):
    return replace(REQUEST, direction=Direction.SHORT, base_amount=base, **changes)


@pytest.mark.parametrize("request_", [
    sell(10**8),  # a partial exit of the 0.1 long
    sell(10**8 // 2, kind=OrderKind.LIMIT, price=155_000_000),
    sell(10**8, reduce_only=True),  # reduce-only: the whole position (more is refused on its own)
], ids=["market-exit", "limit-partial-exit", "reduce-only"])  # fmt: skip
def test_an_order_that_only_reduces_is_never_stacking(request_):
    """Long 0.1 SOL with a resting limit sell 0.2: an exit of it is not a second sell of exposure."""
    account = replace(ACCOUNT, positions=(long_position(10**8),))
    resting_sell = replace(open_order(direction=Direction.SHORT), base_amount=2 * 10**8, price=155_000_000)
    assert check(request_, account, open_orders=(resting_sell,)) == []


@pytest.mark.parametrize(("held", "base"), [
    ((), 10**8),  # flat: a sell opens a short
    ((long_position(10**8),), 10**8 + 10_000_000),  # one step more than the long: it flips
    ((replace(long_position(), base_amount=-(10**8)),), 10**8),  # a sell into a short grows it
], ids=["opens", "flips", "grows"])  # fmt: skip
def test_an_order_that_opens_grows_or_flips_keeps_the_stacking_guard(held, base):
    account = replace(ACCOUNT, positions=held)
    resting_sell = replace(open_order(direction=Direction.SHORT), base_amount=2 * 10**8, price=155_000_000)
    [refusal] = check(sell(base), account, open_orders=(resting_sell,))
    assert refusal.code is RefusalCode.STACKING
    assert refusal.sentence.startswith("An open limit sell on SOL-PERP already exists (order #7)")


def test_a_crossing_post_only_is_refused_with_the_price_it_crosses():
    post_only = replace(REQUEST, kind=OrderKind.LIMIT, price=150_100_000, post_only=True)
    [refusal] = check(post_only, best_opposite=150_000_000)
    assert refusal.code is RefusalCode.POST_ONLY_CROSSES
    assert refusal.sentence == (
        "A post-only buy at $150.10 would cross the best ask $150.00 and be refused by Drift; move the price "
        "behind it or drop post-only."
    )
    assert check(replace(post_only, price=149_900_000), best_opposite=150_000_000) == []
    sell = replace(post_only, direction=Direction.SHORT, price=150_000_000)
    assert [r.code for r in check(sell, best_opposite=150_000_000)] == [RefusalCode.POST_ONLY_CROSSES]


def test_the_suggested_size_is_the_one_the_caller_found_to_pass_both_guards():
    over = replace(PREVIEW, leverage_after=80_000, free_collateral_after=-1)
    refusals = check(preview=over, largest_base=330_000_000)
    assert [r.code for r in refusals] == [RefusalCode.INSUFFICIENT_COLLATERAL, RefusalCode.LEVERAGE]
    assert all("reduce the size to at most 0.33 SOL" in r.sentence for r in refusals)


@pytest.mark.parametrize("other", [open_order(direction=Direction.SHORT), open_order(market_index=1)])
def test_orders_on_another_side_or_market_are_not_stacking(other):
    assert check(open_orders=(other,)) == []


def test_stale_data_blocks_entry_with_the_ages():
    refusals = check(account_age_s=12, oracle_age_s=Decimal("10.2"))
    assert sentences(refusals) == [
        "Account data is 12 s old (limit 10 s); wait for fresh data.",
        "Oracle price is 11 s old (limit 10 s); wait for fresh data.",
    ]
    assert check(account_age_s=10, oracle_age_s=10) == []


def test_reduce_only_that_shrinks_skips_margin_and_leverage():
    account = replace(ACCOUNT, free_collateral=0, positions=(long_position(),))
    request = replace(REQUEST, direction=Direction.SHORT, reduce_only=True)
    assert check(request, account, replace(PREVIEW, leverage_after=90_000)) == []


@pytest.mark.parametrize(
    ("positions", "held"),
    [((), "no position"), ((long_position(),), "a long of 2 SOL")],
)
def test_reduce_only_that_would_grow_is_refused(positions, held):
    request = replace(REQUEST, reduce_only=True)
    [refusal] = check(request, replace(ACCOUNT, positions=positions))
    assert refusal.code is RefusalCode.REDUCE_ONLY_INCREASES
    assert f"(it holds {held})" in refusal.sentence


def test_reduce_only_larger_than_the_position_it_shrinks_is_refused_with_the_size_that_fits():
    """The program fills the position at most: a preview of more shows a trade that cannot happen."""
    account = replace(ACCOUNT, positions=(long_position(),))
    exactly = replace(REQUEST, direction=Direction.SHORT, reduce_only=True, base_amount=2_000_000_000)
    assert check(exactly, account) == [] and reducible_base(exactly, account) == 2_000_000_000
    [refusal] = check(replace(exactly, base_amount=16_980_000_000), account)
    assert refusal.code is RefusalCode.REDUCE_ONLY_EXCEEDS
    assert refusal.sentence == (
        "A reduce-only sell of 16.98 SOL on SOL-PERP is larger than the long of 2 SOL it shrinks; "
        "size it to 2 SOL at most, or drop reduce-only."
    )
    assert reducible_base(replace(exactly, direction=Direction.LONG), account) == 0  # it would grow the long


def test_every_refusal_is_reported_at_once_and_raised_as_one_message():
    refusals = check(
        account=replace(ACCOUNT, free_collateral=0),
        preview=replace(PREVIEW, leverage_after=100_000, free_collateral_after=-1),
        open_orders=(open_order(),), account_age_s=30,
    )
    codes = [refusal.code for refusal in refusals]
    assert codes == [RefusalCode.STALE_ACCOUNT, RefusalCode.INSUFFICIENT_COLLATERAL, RefusalCode.LEVERAGE,
                     RefusalCode.STACKING]
    error = OrderRefused(refusals)
    assert error.refusals == tuple(refusals) and "\n" not in error.message
    assert error.message.startswith("Account data is 30 s old")


@given(free=st.integers(0, 10**9), needed=st.integers(1, 10**9),
       size=st.integers(1, 10**5).map(lambda n: n * 10_000_000))
def test_the_suggested_size_fits_the_free_collateral(free, needed, size):
    request = replace(REQUEST, base_amount=size)
    preview = replace(PREVIEW, free_collateral_after=free - needed)
    refusals = check(request, replace(ACCOUNT, free_collateral=free), preview)
    if needed <= free:
        assert refusals == []
        return
    [refusal] = refusals
    if "reduce the size to at most" in refusal.sentence:
        suggested = Decimal(refusal.sentence.split("at most ")[1].split(" SOL")[0]) * 10**9
        assert suggested % SOL_PERP.step_size == 0
        assert suggested * needed <= free * size  # margin and fee scale with size


# The price band (B2): a limit price far through the market is refused unless overridden.

ORACLE = 150_000_000
BAND = Decimal(10)


def limit(direction, price, *, kind=OrderKind.LIMIT, trigger=None):
    return replace(REQUEST, direction=direction, kind=kind, price=price, trigger_price=trigger)


def banded(request, **kwargs):
    return check(request, oracle_price=ORACLE, price_band_pct=BAND, **kwargs)


@pytest.mark.parametrize(
    ("direction", "price"),
    [(Direction.SHORT, 1_000_000), (Direction.SHORT, 134_990_000), (Direction.LONG, 165_010_000)],
)
def test_a_limit_price_beyond_the_band_through_the_oracle_is_refused_with_the_numbers(direction, price):
    [refusal] = banded(limit(direction, price))
    assert refusal.code is RefusalCode.FAR_PRICE
    assert "the oracle price $150.00" in refusal.sentence and "10% price band" in refusal.sentence
    # Order entry has no override of its own: the sentence names where one is given.
    assert refusal.sentence.endswith("to the order on the command line or the `:` line if you mean it.")
    assert "--allow-far-price" in refusal.sentence
    assert ("below" if direction is Direction.SHORT else "above") in refusal.sentence


def test_the_sell_at_one_dollar_names_its_price_and_distance():
    [refusal] = banded(limit(Direction.SHORT, 1_000_000))
    assert "$1.00" in refusal.sentence and "99.33% below" in refusal.sentence
    [just_beyond] = banded(limit(Direction.LONG, 165_000_100))
    assert "10.01% above" in just_beyond.sentence


@pytest.mark.parametrize(
    ("direction", "price"),
    [
        (Direction.SHORT, 135_000_000), (Direction.LONG, 165_000_000),  # exactly on the band
        (Direction.LONG, 1_000_000), (Direction.SHORT, 10 * ORACLE),  # far, but resting: not through
    ],
)  # fmt: skip
def test_prices_within_the_band_or_on_the_resting_side_pass(direction, price):
    assert banded(limit(direction, price)) == []


def test_the_override_and_market_orders_pass_the_band():
    assert banded(limit(Direction.SHORT, 1_000_000), allow_far_price=True) == []
    assert banded(REQUEST) == []  # a market order has no limit price: its auction bounds it


def test_a_trigger_limit_is_measured_from_its_trigger():
    stop = dict(kind=OrderKind.STOP_LIMIT, trigger=100_000_000)
    assert banded(limit(Direction.SHORT, 95_000_000, **stop)) == []  # 5% below the trigger
    [refusal] = banded(limit(Direction.SHORT, 50_000_000, **stop))
    assert "50% below its trigger price $100.00" in refusal.sentence


@given(price=st.integers(1, 10**12), band=st.integers(1, 100))
def test_the_band_refuses_exactly_beyond_it(price, band):
    for direction in Direction:
        refused = check(limit(direction, price), oracle_price=ORACLE, price_band_pct=Decimal(band))
        through = price - ORACLE if direction is Direction.LONG else ORACLE - price
        assert bool(refused) == (through * 100 > band * ORACLE)
