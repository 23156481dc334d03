"""Account images of the relaunched program's layouts, filled in for the localnet's genesis.

Each builder starts from an all-zero account (`codec.blank`) and sets what the program and
a client read; everything else stays zero, as an admin instruction would leave it.
"""

from typing import Any

from solders.pubkey import Pubkey

from rekt_localnet.markets import PERP_FEE_TIERS, REFEREE_DISCOUNT_PERCENT, REFERRER_REWARD_PERCENT, PerpSpec, SpotSpec

from .codec import blank, encode
from .constants import BUILDER_CODES, CUMULATIVE_INTEREST_PRECISION, FEE_DENOMINATOR, MAX_SUB_ACCOUNTS
from .markets import LAZER_EXPONENT, LAZER_SCALE


def padded(name: str) -> bytes:
    return name.encode().ljust(32, b" ")


def _fee_tiers(value: dict[str, Any]) -> None:
    for tier, (taker, maker) in zip(value["fee_tiers"], PERP_FEE_TIERS):
        tier.update(
            fee_numerator=taker, fee_denominator=FEE_DENOMINATOR,
            maker_rebate_numerator=maker, maker_rebate_denominator=FEE_DENOMINATOR,
            referrer_reward_numerator=REFERRER_REWARD_PERCENT, referrer_reward_denominator=100,
            referee_fee_numerator=REFEREE_DISCOUNT_PERCENT, referee_fee_denominator=100,
        )  # fmt: skip


def state(*, admin: Pubkey, signer: Pubkey, signer_nonce: int, perp_markets: int, spot_markets: int) -> bytes:
    value = blank("State")
    for role in ("cold_admin", "warm_admin", "pause_admin"):
        value[role] = admin
    value.update(
        signer=signer, signer_nonce=signer_nonce, number_of_markets=perp_markets,
        number_of_spot_markets=spot_markets, number_of_authorities=1, number_of_sub_accounts=1,
        max_number_of_sub_accounts=MAX_SUB_ACCOUNTS, min_perp_auction_duration=10,
        default_market_order_time_in_force=60, default_spot_auction_duration=10,
        liquidation_margin_buffer_ratio=50, settlement_duration=3600, liquidation_duration=150,
        initial_pct_to_liquidate=500, slot_duration_ms=400, sol_spot_market_index=1,
        feature_bit_flags=BUILDER_CODES,  # referral is paid through escrows
    )  # fmt: skip
    _fee_tiers(value["perp_fee_structure"])
    _fee_tiers(value["spot_fee_structure"])
    validity = value["oracle_guard_rails"]["validity"]
    validity.update(slots_before_stale_for_amm=10, slots_before_stale_for_margin=120,
                    confidence_interval_max_size=20_000, too_volatile_ratio=5)  # fmt: skip
    return encode("State", value)


def lazer_oracle(*, price: int, confidence: int, slot: int, now: int) -> bytes:
    """A PythLazerOracle holding `price` (1e6) at Pyth Lazer's exponent."""
    value = blank("PythLazerOracle")
    value.update(price=price * LAZER_SCALE, conf=confidence * LAZER_SCALE, exponent=LAZER_EXPONENT,
                 posted_slot=slot, publish_time=now * 1_000_000)  # fmt: skip
    return encode("PythLazerOracle", value)


def _oracle_data(value: dict[str, Any], price: int, confidence: int, now: int) -> None:
    value.update(last_oracle_price=price, last_oracle_conf=confidence, last_oracle_price_twap=price,
                 last_oracle_price_twap_5min=price, last_oracle_price_twap_ts=now)  # fmt: skip


def spot_market(
    spec: SpotSpec, *, address: Pubkey, oracle: Pubkey, vault: Pubkey, price: int, now: int, quote: bool
) -> bytes:
    value = blank("SpotMarket")
    value.update(
        pubkey=address, oracle=oracle, mint=spec.mint, vault=vault, name=padded(spec.symbol),
        cumulative_deposit_interest=CUMULATIVE_INTEREST_PRECISION,
        cumulative_borrow_interest=CUMULATIVE_INTEREST_PRECISION,
        withdraw_guard_threshold=spec.withdraw_guard_threshold, max_token_deposits=spec.max_token_deposits,
        order_step_size=spec.order_step_size, order_tick_size=spec.order_tick_size,
        initial_asset_weight=spec.initial_asset_weight, maintenance_asset_weight=spec.maintenance_asset_weight,
        initial_liability_weight=spec.initial_liability_weight,
        maintenance_liability_weight=spec.maintenance_liability_weight,
        decimals=spec.decimals, market_index=spec.market_index, orders_enabled=spec.orders_enabled,
        oracle_source="QuoteAsset" if quote else "PythLazer", status="Active",
        withdraw_circuit_breaker_bps=2_500, last_interest_ts=now, last_twap_ts=now,
    )  # fmt: skip
    value["insurance_fund"]["vault"] = vault
    _oracle_data(value["historical_oracle_data"], price, price // 10_000, now)
    return encode("SpotMarket", value)


def perp_market(
    spec: PerpSpec, *, address: Pubkey, oracle: Pubkey, price: int, now: int, quoter_slab: Pubkey, clob_market: Pubkey
) -> bytes:
    value = blank("PerpMarket")
    value.update(
        pubkey=address, oracle=oracle, name=padded(spec.symbol), order_step_size=spec.order_step_size,
        order_tick_size=spec.order_tick_size, margin_ratio_initial=spec.margin_ratio_initial,
        margin_ratio_maintenance=spec.margin_ratio_maintenance, market_index=spec.market_index, status="Active",
        contract_tier=spec.contract_tier, oracle_source="PythLazer", last_funding_rate_ts=now,
        unrealized_pnl_initial_asset_weight=10_000, unrealized_pnl_maintenance_asset_weight=10_000,
        max_open_interest=1_000_000 * 10**9 * 10**6 // max(price, 1), liquidator_fee=10_000, if_liquidation_fee=10_000,
        quoter_slab=quoter_slab, clob_market=clob_market,
    )  # fmt: skip
    value["market_stats"]["funding_period"] = 3600
    value["market_stats"]["min_order_size"] = spec.order_step_size
    _oracle_data(value["market_stats"]["historical_oracle_data"], price, price // 10_000, now)
    value["amm"]["peg_multiplier"] = price
    value["amm"]["last_update_slot"] = 0
    return encode("PerpMarket", value)


def user(*, authority: Pubkey, sub_account_id: int, name: bytes, slot: int) -> dict[str, Any]:
    """A fresh User, decoded (the program fills it in further before encoding)."""
    value = blank("User")
    value.update(authority=authority, sub_account_id=sub_account_id, name=name, last_active_slot=slot,
                 next_order_id=1, is_margin_trading_enabled=True)  # fmt: skip
    return value


def user_stats(*, authority: Pubkey, sub_accounts: int, now: int) -> dict[str, Any]:
    value = blank("UserStats")
    value.update(authority=authority, number_of_sub_accounts=sub_accounts,
                 number_of_sub_accounts_created=sub_accounts, last_maker_volume_30d_ts=now,
                 last_taker_volume_30d_ts=now, last_filler_volume_30d_ts=now)  # fmt: skip
    return value
