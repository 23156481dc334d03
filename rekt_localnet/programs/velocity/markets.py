"""What the localnet lists on the relaunched program: a USDT-like quote, SOL spot, three perps.

The perps and SOL spot reuse the Drift localnet's parameters (`rekt_localnet.markets`); the
quote is a mint of its own (6 decimals, spot market 0), minted by the faucet. Oracles are
PythLazerOracle accounts owned by the program at its `pyth_lazer` + feed id PDAs, as the
relaunch's markets use; the feed ids are Pyth Lazer's (BTC 1, ETH 2, SOL 6).
"""

from dataclasses import replace

from solders.pubkey import Pubkey

from rekt_localnet.keys import fixed_keypair
from rekt_localnet.markets import PERP_MARKETS, SPOT_MARKETS, PerpSpec, SpotSpec

from .codec import VELOCITY_PROGRAM_ID

QUOTE_MINT_KEYPAIR = fixed_keypair("velocity usdt mint")
QUOTE_MINT = QUOTE_MINT_KEYPAIR.pubkey()
QUOTE_SYMBOL = "USDT"
QUOTE_SPOT_MARKET_INDEX = 0

VELOCITY_PERP_MARKETS: tuple[PerpSpec, ...] = PERP_MARKETS
VELOCITY_SPOT_MARKETS: tuple[SpotSpec, ...] = (
    replace(SPOT_MARKETS[0], symbol=QUOTE_SYMBOL, asset=QUOTE_SYMBOL, mint=QUOTE_MINT),
    SPOT_MARKETS[1],
)
LAZER_FEED_IDS = {"BTC": 1, "ETH": 2, "SOL": 6}
# Pyth Lazer publishes prices with exponent -8; the program rescales them to 1e6.
LAZER_EXPONENT = -8
LAZER_SCALE = 100  # 1e8 / 1e6


def lazer_oracle_address(asset: str) -> Pubkey:
    """The PythLazerOracle account that prices `asset` (the seeds of initialize_pyth_lazer_oracle)."""
    feed_id = LAZER_FEED_IDS[asset]
    return Pubkey.find_program_address([b"pyth_lazer", feed_id.to_bytes(4, "little")], VELOCITY_PROGRAM_ID)[0]


def perp_spec(market_index: int) -> PerpSpec:
    for spec in VELOCITY_PERP_MARKETS:
        if spec.market_index == market_index:
            return spec
    raise KeyError(market_index)


def spot_spec(market_index: int) -> SpotSpec:
    for spec in VELOCITY_SPOT_MARKETS:
        if spec.market_index == market_index:
            return spec
    raise KeyError(market_index)


def book_addresses(market_index: int) -> tuple[Pubkey, Pubkey]:
    """(quoter_slab, clob_market) of a perp market: fixed addresses derived for the localnet,
    owned by the order-book program (the real ones are created by admin instructions)."""
    index = market_index.to_bytes(2, "little")
    slab = Pubkey.find_program_address([b"quoter_slab", index], VELOCITY_PROGRAM_ID)[0]
    clob = Pubkey.find_program_address([b"clob_market", index], VELOCITY_PROGRAM_ID)[0]
    return slab, clob
