"""Order flow: synthetic traders that send market orders, so the localnet trades.

Makers only rest orders and the keeper only fills what others send, so without a taker
nothing would ever trade. Every `FLOW_EVERY_SLOTS` slots one trader (each perp market
has its own, as each has its own maker) sends a market order of a seeded-random size and
side, the markets taking turns; the keeper
fills it against the makers and the AMM in the following slots, as it fills anyone's.
The side leans against the trader's own position, so its exposure stays bounded while
its trades move volume, candles, open interest and the mark (and with it funding).
Traders are created through real transactions on a fresh ledger, like the makers.
"""

import logging
import random
from collections.abc import Callable

from driftpy.decode.user import decode_user
from driftpy.types import MarketType, OrderParams, OrderType, PositionDirection
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer

from rekt_localnet.keys import FAUCET_KEYPAIR, fixed_keypair
from rekt_localnet.ledger import Ledger
from rekt_localnet.markets import PERP_MARKETS
from rekt_localnet.programs.drift import instructions as drift_ix
from rekt_localnet.programs.drift.constants import BASE_PRECISION, PRICE_PRECISION
from rekt_localnet.runtime import Runtime

from .chain import LedgerMarkets, submit

log = logging.getLogger(__name__)

FLOW_USDC = 5_000_000 * 10**6
FLOW_LAMPORTS = 10**9
FLOW_EVERY_SLOTS = 5
NOTIONAL_USD = (500, 8_000)  # each order's notional is drawn from this range
# Past this notional of exposure in a market, the next order there reduces it.
MAX_EXPOSURE_USD = 100_000


def flow_keypair(market_index: int) -> Keypair:
    return fixed_keypair(f"flow trader {market_index}")


class Flow:
    """The synthetic taker; `tick` runs once a slot, after the keeper."""

    def __init__(
        self, ledger: Ledger, runtime: Runtime, mint_usdc: Callable[[Pubkey, int], tuple[str, Pubkey]], *, seed: int = 0
    ) -> None:
        self._ledger = ledger
        self._runtime = runtime
        self._mint_usdc = mint_usdc
        self._random = random.Random(f"rekt-tui flow {seed}")
        self._next = 0

    def bootstrap(self) -> None:
        """Create and fund the traders that do not exist yet (a fresh ledger)."""
        for spec in PERP_MARKETS:
            self._create(flow_keypair(spec.market_index), spec.symbol)

    def _create(self, keypair: Keypair, symbol: str) -> None:
        authority = keypair.pubkey()
        if self._ledger.get(drift_ix.user_key(authority)) is not None:
            return
        funding = TransferParams(from_pubkey=FAUCET_KEYPAIR.pubkey(), to_pubkey=authority, lamports=FLOW_LAMPORTS)
        submit(self._runtime, self._ledger, [transfer(funding)], [FAUCET_KEYPAIR])
        _, token_account = self._mint_usdc(authority, FLOW_USDC)
        setup = [
            drift_ix.initialize_user_stats(authority),
            drift_ix.initialize_user(authority, f"Flow {symbol}"),
            drift_ix.deposit(authority, 0, FLOW_USDC, token_account),
        ]
        submit(self._runtime, self._ledger, setup, [keypair])

    def tick(self, slot: int) -> None:
        """A failure is logged, never raised: the slot clock must survive a flow bug."""
        if slot % FLOW_EVERY_SLOTS:
            return
        try:
            self._send(slot)
        except Exception:
            log.exception("order flow at slot %d failed", slot)

    def _send(self, slot: int) -> None:
        spec = PERP_MARKETS[self._next]
        self._next = (self._next + 1) % len(PERP_MARKETS)
        keypair = flow_keypair(spec.market_index)
        account = self._ledger.get(drift_ix.user_key(keypair.pubkey()))
        if account is None:
            return
        user = decode_user(account.data)
        if any(type(order.status).__name__ == "Open" for order in user.orders):
            return  # its last order is still being filled
        market = LedgerMarkets(self._ledger).perp_market(spec.market_index)
        oracle = LedgerMarkets(self._ledger).oracle_price(market.amm.oracle)
        step = market.amm.order_step_size
        notional = self._random.randint(*NOTIONAL_USD) * PRICE_PRECISION
        size = max(step, notional * BASE_PRECISION // oracle // step * step)
        held = next((p.base_asset_amount for p in user.perp_positions if p.market_index == spec.market_index), 0)
        exposure = abs(held) * oracle // BASE_PRECISION // PRICE_PRECISION
        long = held < 0 if exposure > MAX_EXPOSURE_USD else self._random.random() < 0.5
        order = OrderParams(
            order_type=OrderType.Market(), market_type=MarketType.Perp(),
            direction=PositionDirection.Long() if long else PositionDirection.Short(),
            base_asset_amount=size, market_index=spec.market_index,
        )  # fmt: skip
        submit(self._runtime, self._ledger, [drift_ix.place_orders(keypair.pubkey(), spec.market_index, [order])], [keypair])
