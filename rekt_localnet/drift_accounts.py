"""Bytes of Drift's State, markets, oracles, User and UserStats as the program writes them.

Each builder starts from the all-zero default of its account type and sets only what the
program would set at initialisation, plus what driftpy's margin math divides by
(interest indexes, weights, margin ratios, `sqrt_k`, peg, fee denominators): a zero
there makes a client divide by zero or treat the market as dead.
"""

from dataclasses import replace

from solders.pubkey import Pubkey

from rekt_localnet.encoding import default_account, encode_account, padded_name, variant
from rekt_localnet.markets import (
    FEE_DENOMINATOR,
    FEE_PERCENTAGE_DENOMINATOR,
    PERP_FEE_TIERS,
    REFEREE_DISCOUNT_PERCENT,
    REFERRER_REWARD_PERCENT,
    SPOT_FEE_TIERS,
    PerpSpec,
    SpotSpec,
)

CUMULATIVE_INTEREST_ONE = 10**10  # SPOT_CUMULATIVE_INTEREST_PRECISION
CONCENTRATION_PRECISION = 10**6
MAX_CONCENTRATION_COEFFICIENT = 1_414_200
FUNDING_PERIOD_SECONDS = 3600
LIQUIDATION_FEE = 10_000  # 1 % in LIQUIDATION_FEE_PRECISION (1e6)
SPOT_UTILIZATION_OPTIMAL = 800_000  # 80 % in 1e6
SPOT_RATE_OPTIMAL = 100_000  # 10 % a year in 1e6
SPOT_RATE_MAX = 1_000_000
IF_UNSTAKING_PERIOD_SECONDS = 13 * 24 * 3600
IF_REVENUE_SETTLE_PERIOD_SECONDS = 3600


def _fee_structure(current, tiers: tuple[tuple[int, int], ...]):
    """A fee structure with every one of the ten tier slots usable.

    Slots past the defined tiers repeat the last one, so no fee computation can meet a
    zero denominator.
    """
    built = []
    for slot_index, tier in enumerate(current.fee_tiers):
        taker, maker = tiers[min(slot_index, len(tiers) - 1)]
        built.append(
            replace(
                tier,
                fee_numerator=taker,
                fee_denominator=FEE_DENOMINATOR,
                maker_rebate_numerator=maker,
                maker_rebate_denominator=FEE_DENOMINATOR,
                referrer_reward_numerator=REFERRER_REWARD_PERCENT,
                referrer_reward_denominator=FEE_PERCENTAGE_DENOMINATOR,
                referee_fee_numerator=REFEREE_DISCOUNT_PERCENT,
                referee_fee_denominator=FEE_PERCENTAGE_DENOMINATOR,
            )
        )
    filler = replace(
        current.filler_reward_structure,
        reward_numerator=10,
        reward_denominator=FEE_PERCENTAGE_DENOMINATOR,
        time_based_reward_lower_bound=10_000,
    )
    return replace(
        current,
        fee_tiers=built,
        filler_reward_structure=filler,
        referrer_reward_epoch_upper_bound=160_000_000,
        flat_filler_fee=10_000,
    )


def state(
    *, admin: Pubkey, signer: Pubkey, signer_nonce: int, perp_markets: int, spot_markets: int, users: int
) -> bytes:
    """The exchange's State: fee schedules, oracle guard rails, market counts, all active."""
    default = default_account("State")
    rails = default.oracle_guard_rails
    rails = replace(
        rails,
        price_divergence=replace(
            rails.price_divergence, mark_oracle_percent_divergence=100_000, oracle_twap5min_percent_divergence=500_000
        ),
        validity=replace(
            rails.validity,
            slots_before_stale_for_amm=10,
            slots_before_stale_for_margin=120,
            confidence_interval_max_size=20_000,
            too_volatile_ratio=5,
        ),
    )
    value = replace(
        default,
        admin=admin,
        signer=signer,
        signer_nonce=signer_nonce,
        perp_fee_structure=_fee_structure(default.perp_fee_structure, PERP_FEE_TIERS),
        spot_fee_structure=_fee_structure(default.spot_fee_structure, SPOT_FEE_TIERS),
        oracle_guard_rails=rails,
        number_of_authorities=users,
        number_of_sub_accounts=users,
        liquidation_margin_buffer_ratio=200,
        number_of_markets=perp_markets,
        number_of_spot_markets=spot_markets,
        min_perp_auction_duration=10,
        default_market_order_time_in_force=60,
        default_spot_auction_duration=10,
        liquidation_duration=150,
        initial_pct_to_liquidate=1_000,
    )
    return encode_account("State", value)


def prelaunch_oracle(*, price: int, confidence: int, perp_market_index: int, slot: int) -> bytes:
    """A PrelaunchOracle: the price is stored as is, in 1e6."""
    value = replace(
        default_account("PrelaunchOracle"),
        price=price,
        max_price=price,
        confidence=confidence,
        last_update_slot=slot,
        amm_last_update_slot=slot,
        perp_market_index=perp_market_index,
    )
    return encode_account("PrelaunchOracle", value)


def _historical_oracle_data(current, price: int, confidence: int, now: int):
    return replace(
        current,
        last_oracle_price=price,
        last_oracle_conf=confidence,
        last_oracle_price_twap=price,
        last_oracle_price_twap5min=price,
        last_oracle_price_twap_ts=now,
    )


def perp_market(
    spec: PerpSpec, *, address: Pubkey, oracle: Pubkey, price: int, confidence: int, now: int, slot: int
) -> bytes:
    """A perp market whose AMM is balanced (no open interest) and quotes the oracle price.

    Equal base and quote reserves of `sqrt_k` with the peg at the oracle price put the
    AMM's reserve price exactly on the oracle.
    """
    default = default_account("PerpMarket")
    reserves = spec.amm_depth
    amm = replace(
        default.amm,
        oracle=oracle,
        oracle_source=variant(default.amm.oracle_source, "Prelaunch"),
        historical_oracle_data=_historical_oracle_data(default.amm.historical_oracle_data, price, confidence, now),
        base_asset_reserve=reserves,
        quote_asset_reserve=reserves,
        sqrt_k=reserves,
        peg_multiplier=price,
        terminal_quote_asset_reserve=reserves,
        concentration_coef=MAX_CONCENTRATION_COEFFICIENT,
        max_base_asset_reserve=reserves * MAX_CONCENTRATION_COEFFICIENT // CONCENTRATION_PRECISION,
        min_base_asset_reserve=reserves * CONCENTRATION_PRECISION // MAX_CONCENTRATION_COEFFICIENT,
        ask_base_asset_reserve=reserves,
        ask_quote_asset_reserve=reserves,
        bid_base_asset_reserve=reserves,
        bid_quote_asset_reserve=reserves,
        max_open_interest=reserves,
        last_oracle_normalised_price=price,
        last_bid_price_twap=price,
        last_ask_price_twap=price,
        last_mark_price_twap=price,
        last_mark_price_twap5min=price,
        last_mark_price_twap_ts=now,
        last_funding_rate_ts=now,
        last_funding_oracle_twap=price,
        funding_period=FUNDING_PERIOD_SECONDS,
        last_update_slot=slot,
        last_oracle_valid=True,
        order_step_size=spec.order_step_size,
        order_tick_size=spec.order_tick_size,
        min_order_size=spec.order_step_size,
        base_spread=100,
        long_spread=50,
        short_spread=50,
        max_spread=20_000,
        max_fill_reserve_fraction=100,
        max_slippage_ratio=50,
        curve_update_intensity=100,
    )
    value = replace(
        default,
        pubkey=address,
        amm=amm,
        name=padded_name(spec.symbol),
        market_index=spec.market_index,
        status=variant(default.status, "Active"),
        contract_type=variant(default.contract_type, "Perpetual"),
        contract_tier=variant(default.contract_tier, spec.contract_tier),
        margin_ratio_initial=spec.margin_ratio_initial,
        margin_ratio_maintenance=spec.margin_ratio_maintenance,
        unrealized_pnl_maintenance_asset_weight=10_000,
        liquidator_fee=LIQUIDATION_FEE,
        if_liquidation_fee=LIQUIDATION_FEE,
        last_fill_price=price,
    )
    return encode_account("PerpMarket", value)


def spot_market(
    spec: SpotSpec,
    *,
    address: Pubkey,
    oracle: Pubkey,
    vault: Pubkey,
    insurance_fund_vault: Pubkey,
    price: int,
    confidence: int,
    now: int,
) -> bytes:
    """A spot market with no deposits yet and interest indexes at one."""
    default = default_account("SpotMarket")
    index_data = replace(
        default.historical_index_data,
        last_index_bid_price=price,
        last_index_ask_price=price,
        last_index_price_twap=price,
        last_index_price_twap5min=price,
        last_index_price_twap_ts=now,
    )
    insurance_fund = replace(
        default.insurance_fund,
        vault=insurance_fund_vault,
        unstaking_period=IF_UNSTAKING_PERIOD_SECONDS,
        revenue_settle_period=IF_REVENUE_SETTLE_PERIOD_SECONDS,
    )
    value = replace(
        default,
        pubkey=address,
        oracle=oracle,
        oracle_source=variant(default.oracle_source, "Prelaunch"),
        mint=spec.mint,
        vault=vault,
        name=padded_name(spec.symbol),
        historical_oracle_data=_historical_oracle_data(default.historical_oracle_data, price, confidence, now),
        historical_index_data=index_data,
        insurance_fund=insurance_fund,
        cumulative_deposit_interest=CUMULATIVE_INTEREST_ONE,
        cumulative_borrow_interest=CUMULATIVE_INTEREST_ONE,
        withdraw_guard_threshold=spec.withdraw_guard_threshold,
        max_token_deposits=spec.max_token_deposits,
        last_interest_ts=now,
        last_twap_ts=now,
        order_step_size=spec.order_step_size,
        order_tick_size=spec.order_tick_size,
        min_order_size=spec.order_step_size,
        initial_asset_weight=spec.initial_asset_weight,
        maintenance_asset_weight=spec.maintenance_asset_weight,
        initial_liability_weight=spec.initial_liability_weight,
        maintenance_liability_weight=spec.maintenance_liability_weight,
        liquidator_fee=LIQUIDATION_FEE,
        if_liquidation_fee=LIQUIDATION_FEE,
        optimal_utilization=SPOT_UTILIZATION_OPTIMAL,
        optimal_borrow_rate=SPOT_RATE_OPTIMAL,
        max_borrow_rate=SPOT_RATE_MAX,
        decimals=spec.decimals,
        market_index=spec.market_index,
        orders_enabled=spec.orders_enabled,
        status=variant(default.status, "Active"),
        asset_tier=variant(default.asset_tier, "Collateral"),
    )
    return encode_account("SpotMarket", value)


def user(*, authority: Pubkey, sub_account_id: int, name: str, slot: int) -> bytes:
    """A freshly initialised User: no positions, no orders, margin trading on."""
    value = replace(
        default_account("User"),
        authority=authority,
        name=padded_name(name),
        sub_account_id=sub_account_id,
        next_order_id=1,
        next_liquidation_id=1,
        is_margin_trading_enabled=True,
        last_active_slot=slot,
    )
    return encode_account("User", value)


def user_stats(*, authority: Pubkey, sub_accounts: int, now: int) -> bytes:
    """A UserStats for an authority with `sub_accounts` Users and no referrer."""
    value = replace(
        default_account("UserStats"),
        authority=authority,
        number_of_sub_accounts=sub_accounts,
        number_of_sub_accounts_created=sub_accounts,
        last_maker_volume30d_ts=now,
        last_taker_volume30d_ts=now,
        last_filler_volume30d_ts=now,
    )
    return encode_account("UserStats", value)
