"""The markets the localnet lists, with parameters close to Drift's mainnet ones.

Units follow the program: prices and quote amounts 1e6, base amounts and AMM reserves
1e9, margin ratios and spot weights 1e4, fees over a 100,000 denominator, liquidation
fees 1e6, AMM spreads 1e6. Spot amounts are in the token's own decimals.

Perp markets carry no IMF factor: margin then stays linear in position size, which keeps
the figures tests check by hand simple; mainnet's factors only matter for very large
positions.
"""

from dataclasses import dataclass

from solders.pubkey import Pubkey

from rekt_localnet.keys import USDC_MINT, WRAPPED_SOL_MINT

FEE_DENOMINATOR = 100_000
FEE_PERCENTAGE_DENOMINATOR = 100

# (taker fee, maker rebate) numerators over FEE_DENOMINATOR for the volume tiers:
# 10 bps taker at tier 1 down to 5 bps, 2 bps maker rebate throughout.
PERP_FEE_TIERS = ((100, 20), (80, 20), (75, 20), (70, 20), (60, 20), (50, 20))
SPOT_FEE_TIERS = ((100, 20),)
# Referrers earn 10 % of their referees' taker fees; referees get 5 % off.
REFERRER_REWARD_PERCENT = 10
REFEREE_DISCOUNT_PERCENT = 5


@dataclass(frozen=True, slots=True)
class PerpSpec:
    """A perpetual market: its asset, sizes, margin and AMM depth."""

    symbol: str
    market_index: int
    asset: str  # which oracle prices it
    order_tick_size: int  # 1e6
    order_step_size: int  # 1e9
    margin_ratio_initial: int  # 1e4
    margin_ratio_maintenance: int  # 1e4
    amm_depth: int  # sqrt_k, in base units (1e9)
    contract_tier: str = "A"


@dataclass(frozen=True, slots=True)
class SpotSpec:
    """A spot market: its token, collateral weights and guards."""

    symbol: str
    market_index: int
    asset: str
    mint: Pubkey
    decimals: int
    initial_asset_weight: int  # 1e4
    maintenance_asset_weight: int
    initial_liability_weight: int
    maintenance_liability_weight: int
    order_tick_size: int
    order_step_size: int
    orders_enabled: bool
    # Withdrawals above this (token units) within a day are throttled by the program;
    # set well above anything a session moves so ordinary withdrawals never hit it.
    withdraw_guard_threshold: int
    max_token_deposits: int


# 20x initial leverage, liquidation below 2.5 % margin. AMM depth is about $100M+ a side,
# so a $100k market order moves the AMM price by roughly 0.1-0.2 %.
_TIER_A_MARGIN = {"margin_ratio_initial": 500, "margin_ratio_maintenance": 250}
PERP_MARKETS = (
    PerpSpec(
        "SOL-PERP", 0, "SOL", order_tick_size=100, order_step_size=10_000_000, amm_depth=1_000_000 * 10**9,
        **_TIER_A_MARGIN,
    ),
    PerpSpec(
        "BTC-PERP", 1, "BTC", order_tick_size=100_000, order_step_size=100_000, amm_depth=1_000 * 10**9,
        **_TIER_A_MARGIN,
    ),
    PerpSpec(
        "ETH-PERP", 2, "ETH", order_tick_size=10_000, order_step_size=1_000_000, amm_depth=30_000 * 10**9,
        **_TIER_A_MARGIN,
    ),
)

SPOT_MARKETS = (
    SpotSpec(
        "USDC", 0, "USDC", USDC_MINT, decimals=6,
        initial_asset_weight=10_000, maintenance_asset_weight=10_000,
        initial_liability_weight=10_000, maintenance_liability_weight=10_000,
        order_tick_size=1, order_step_size=1, orders_enabled=False,
        withdraw_guard_threshold=1_000_000 * 10**6, max_token_deposits=10**9 * 10**6,
    ),
    SpotSpec(
        "SOL", 1, "SOL", WRAPPED_SOL_MINT, decimals=9,
        initial_asset_weight=8_000, maintenance_asset_weight=9_000,
        initial_liability_weight=12_000, maintenance_liability_weight=11_000,
        order_tick_size=100, order_step_size=10_000_000, orders_enabled=True,
        withdraw_guard_threshold=10_000 * 10**9, max_token_deposits=1_000_000 * 10**9,
    ),
)

# Assets with an oracle, and the default prices (1e6) genesis gives them.
DEFAULT_PRICES = {"USDC": 1_000_000, "SOL": 150_000_000, "BTC": 100_000_000_000, "ETH": 3_500_000_000}
