"""Margin on the relaunch's layouts, checked against the rules protocol-v2 states (margin.py's docstring).

Each figure is worked by hand from the rule; the liquidation price is checked by its definition:
at that oracle price maintenance collateral meets the maintenance requirement.
"""

from dataclasses import replace

from solders.pubkey import Pubkey

from rekt_tui.velocity.layouts import PerpMarketView, PerpPositionView, SpotMarketView, SpotPositionView, UserView
from rekt_tui.velocity.margin import compute, with_fill

USD = 10**6
SOL = 10**9
INTEREST = 10**10  # cumulative interest at 1.0 (SPOT_CUMULATIVE_INTEREST_PRECISION)

QUOTE = SpotMarketView(
    market_index=0, symbol="USDT", oracle=Pubkey.default(), oracle_source="QuoteAsset", mint=Pubkey.default(),
    vault=Pubkey.default(), decimals=6, status="Active", paused_operations=0, tick_size=1, step_size=1,
    min_order_size=1, cumulative_deposit_interest=INTEREST, cumulative_borrow_interest=INTEREST,
    initial_asset_weight=10_000, maintenance_asset_weight=10_000, initial_liability_weight=10_000,
    maintenance_liability_weight=10_000, token_program_flag=0,
)
SOL_SPOT = replace(QUOTE, market_index=1, symbol="SOL", oracle_source="Prelaunch", decimals=9,
                   initial_asset_weight=8_000, maintenance_asset_weight=9_000,
                   initial_liability_weight=12_000, maintenance_liability_weight=11_000)
SOL_PERP = PerpMarketView(
    market_index=0, symbol="SOL-PERP", oracle=Pubkey.default(), clob_market=Pubkey.default(),
    quoter_slab=Pubkey.default(), status="Active", paused_operations=0, tick_size=100, step_size=10**7,
    min_order_size=10**7, margin_ratio_initial=1_000, margin_ratio_maintenance=500,
    unrealized_pnl_initial_asset_weight=5_000, unrealized_pnl_maintenance_asset_weight=10_000, imf_factor=0,
    last_fill_price=0, cumulative_funding_rate_long=0, cumulative_funding_rate_short=0,
)
SPOTS = {0: QUOTE, 1: SOL_SPOT}
PERPS = {0: SOL_PERP}


def deposit(index: int, tokens: int, decimals: int) -> SpotPositionView:
    return SpotPositionView(index, tokens * 10 ** (9 - decimals + 10) // INTEREST, False, 0)  # scaled: 1e9


def account(*spots: SpotPositionView, perps: tuple[PerpPositionView, ...] = ()) -> UserView:
    return UserView(Pubkey.default(), 0, spots, perps, (), 0, 0, 1, 0)


def long(base: int, entry: int, **changes: int) -> PerpPositionView:
    quote = -base * entry // SOL
    return replace(PerpPositionView(0, base, quote, quote, quote, 0, 0, 0, 0), **changes)


def test_a_quote_deposit_is_all_collateral_and_no_requirement():
    margin = compute(account(deposit(0, 1_000 * USD, 6)), PERPS, SPOTS, {}, {0: USD})
    assert (margin.total_collateral, margin.initial_margin, margin.free_collateral) == (1_000 * USD, 0, 1_000 * USD)
    assert (margin.leverage, margin.health) == (0, 100)


def test_a_sol_deposit_counts_at_its_asset_weights():
    # 2 SOL at $150 = $300: initial weight 0.8 -> $240, maintenance 0.9 -> $270.
    margin = compute(account(deposit(1, 2 * SOL, 9)), PERPS, SPOTS, {}, {0: USD, 1: 150 * USD})
    assert (margin.total_collateral, margin.maintenance_collateral, margin.equity) == (240 * USD, 270 * USD, 300 * USD)


def test_a_long_in_profit_counts_its_gain_at_the_pnl_weight_and_needs_its_margin_ratio():
    # Long 1 SOL from $150, oracle $160: +$10 PnL, initial weight 0.5 -> +$5; requirement $160 x 10 %.
    user = account(deposit(0, 100 * USD, 6), perps=(long(SOL, 150 * USD),))
    margin = compute(user, PERPS, SPOTS, {0: 160 * USD}, {0: USD})
    assert margin.unrealized_pnl == 10 * USD
    assert (margin.total_collateral, margin.maintenance_collateral) == (105 * USD, 110 * USD)
    assert (margin.initial_margin, margin.maintenance_margin) == (16 * USD, 8 * USD)
    assert margin.free_collateral == 89 * USD
    assert margin.leverage == 160 * 10_000 // 110  # perp value over equity ($100 + $10)


def test_a_loss_counts_in_full():
    user = account(deposit(0, 100 * USD, 6), perps=(long(SOL, 150 * USD),))
    margin = compute(user, PERPS, SPOTS, {0: 140 * USD}, {0: USD})
    assert margin.total_collateral == 90 * USD


def test_open_bids_raise_the_requirement_to_the_worst_case():
    # 1 SOL long with 2 SOL of open bids: the requirement is on 3 SOL, plus $0.01 per open order.
    held = long(SOL, 150 * USD, open_bids=2 * SOL, open_orders=1)
    margin = compute(account(deposit(0, 100 * USD, 6), perps=(held,)), PERPS, SPOTS, {0: 150 * USD}, {0: USD})
    assert margin.initial_margin == 3 * 15 * USD + 10_000
    assert margin.maintenance_margin == 3 * 7_500_000


def test_a_borrow_is_a_liability_at_its_liability_weight():
    borrow = SpotPositionView(1, SOL, True, 0)  # 1 SOL borrowed at $100
    margin = compute(account(deposit(0, 500 * USD, 6), borrow), PERPS, SPOTS, {}, {0: USD, 1: 100 * USD})
    assert (margin.initial_margin, margin.maintenance_margin) == (120 * USD, 110 * USD)
    assert margin.equity == 400 * USD and margin.spot_liability == 100 * USD


def _free_maintenance(user: UserView, price: int) -> int:
    margin = compute(user, PERPS, SPOTS, {0: price}, {0: USD})
    return margin.maintenance_collateral - margin.maintenance_margin


def test_the_liquidation_price_is_where_maintenance_collateral_meets_the_requirement():
    # $20 behind a 1 SOL long from $150: 20 + (p - 150) = 0.05 p  ->  p = 136.842105...
    user = account(deposit(0, 20 * USD, 6), perps=(long(SOL, 150 * USD),))
    liquidation = compute(user, PERPS, SPOTS, {0: 150 * USD}, {0: USD}).perps[0].liquidation_price
    assert liquidation is not None and abs(liquidation - 136_842_105) <= 1
    assert _free_maintenance(user, liquidation + 2) >= 0 > _free_maintenance(user, liquidation - 2)


def test_a_short_is_liquidated_above_and_a_fully_backed_long_never():
    short = replace(long(SOL, 150 * USD), base_asset_amount=-SOL, quote_asset_amount=150 * USD,
                    quote_entry_amount=150 * USD)
    user = account(deposit(0, 20 * USD, 6), perps=(short,))
    liquidation = compute(user, PERPS, SPOTS, {0: 150 * USD}, {0: USD}).perps[0].liquidation_price
    assert liquidation is not None and liquidation > 150 * USD  # 20 + (150 - p) = 0.05 p -> 161.90...
    assert _free_maintenance(user, liquidation - 2) >= 0 > _free_maintenance(user, liquidation + 2)
    rich = account(deposit(0, 1_000 * USD, 6), perps=(long(SOL, 150 * USD),))
    assert compute(rich, PERPS, SPOTS, {0: 150 * USD}, {0: USD}).perps[0].liquidation_price is None


def test_a_rising_long_funding_rate_is_paid_by_longs():
    market = replace(SOL_PERP, cumulative_funding_rate_long=2 * 10**9)  # $2 per SOL (1e9 precision)
    user = account(deposit(0, 100 * USD, 6), perps=(long(SOL, 150 * USD),))
    margin = compute(user, {0: market}, SPOTS, {0: 150 * USD}, {0: USD})
    assert margin.unrealized_pnl == -2 * USD


def test_a_previewed_fill_opens_a_position_with_the_markets_funding_rate():
    market = replace(SOL_PERP, cumulative_funding_rate_long=7 * 10**9)
    after = with_fill(account(deposit(0, 100 * USD, 6)), market, SOL, -150 * USD)
    margin = compute(after, {0: market}, SPOTS, {0: 150 * USD}, {0: USD})
    assert margin.unrealized_pnl == 0 and margin.initial_margin == 15 * USD
