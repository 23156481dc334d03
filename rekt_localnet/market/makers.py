"""Synthetic makers: Drift users that keep resting limit orders on both sides of every
perp market and of the SOL/USDC spot market around the oracle, so books have depth.

Each maker quotes one market at a ladder of levels (a few basis points out to half a
percent, growing sizes) and re-quotes when the oracle has moved from the price it last
quoted around or when fills have eaten its orders. One maker re-quotes per slot at most,
so the cost per slot stays bounded. Makers are created through real transactions the
first time the localnet runs (funded by the faucet, USDC minted, deposited), so their
collateral sits in the vault like anyone's.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from driftpy.decode.user import decode_user
from driftpy.types import MarketType, OrderParams, OrderType, PositionDirection, PostOnlyParams
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer

from rekt_localnet.keys import FAUCET_KEYPAIR, fixed_keypair
from rekt_localnet.ledger import Ledger
from rekt_localnet.markets import PERP_MARKETS, SPOT_MARKETS
from rekt_localnet.programs.drift import instructions as drift_ix
from rekt_localnet.programs.drift.constants import BASE_PRECISION, PERCENTAGE_PRECISION, PRICE_PRECISION
from rekt_localnet.runtime import Runtime

from .chain import LedgerMarkets, submit

log = logging.getLogger(__name__)

MAKER_USDC = 20_000_000 * 10**6
MAKER_LAMPORTS = 10**9
# Level offsets from the oracle (PERCENTAGE_PRECISION: 100 = 1 bp) and notional (USD).
LEVELS = ((500, 20_000), (1_000, 40_000), (2_000, 60_000), (3_500, 80_000), (5_000, 100_000))
REQUOTE_MOVE = 500  # re-quote once the oracle is 5 bps away from the last quote's centre
RETRY_SLOTS = 50  # after a refused re-quote (a paused exchange, say), wait this long


@dataclass(frozen=True)
class Book:
    """A market a maker quotes."""

    spot: bool
    market_index: int
    symbol: str

    @property
    def keypair(self) -> Keypair:
        return fixed_keypair(f"maker {'spot' if self.spot else 'perp'} {self.market_index}")


BOOKS = tuple(Book(False, spec.market_index, spec.symbol) for spec in PERP_MARKETS) + tuple(
    Book(True, spec.market_index, f"{spec.symbol}/USDC") for spec in SPOT_MARKETS if spec.orders_enabled
)


def maker_keypair(market_index: int, *, spot: bool = False) -> Keypair:
    return Book(spot, market_index, "").keypair


def ladder(book: Book, oracle: int, tick: int, step: int) -> list[OrderParams]:
    """Post-only bids below and asks above the oracle, on the market's tick and step."""
    orders = []
    for offset, notional in LEVELS:
        distance = oracle * offset // PERCENTAGE_PRECISION
        size = max(step, notional * PRICE_PRECISION * BASE_PRECISION // oracle // step * step)
        bid = (oracle - distance) // tick * tick
        ask = -(-(oracle + distance) // tick) * tick
        for direction, price in ((PositionDirection.Long(), bid), (PositionDirection.Short(), ask)):
            orders.append(
                OrderParams(
                    order_type=OrderType.Limit(), market_type=MarketType.Spot() if book.spot else MarketType.Perp(),
                    direction=direction, base_asset_amount=size, price=price, market_index=book.market_index,
                    post_only=PostOnlyParams.MustPostOnly(),
                )
            )
    return orders


class Makers:
    """The makers of every book; `tick` runs once a slot."""

    def __init__(
        self, ledger: Ledger, runtime: Runtime, mint_usdc: Callable[[Pubkey, int], tuple[str, Pubkey]]
    ) -> None:
        self._ledger = ledger
        self._runtime = runtime
        self._mint_usdc = mint_usdc
        self._centres: dict[Book, int] = {}
        self._retry_at: dict[Book, int] = {}
        self._next = 0

    def bootstrap(self) -> None:
        """Create and fund any maker that does not exist yet (a fresh ledger)."""
        for book in BOOKS:
            keypair = book.keypair
            authority = keypair.pubkey()
            if self._ledger.get(drift_ix.user_key(authority)) is not None:
                continue
            funding = TransferParams(from_pubkey=FAUCET_KEYPAIR.pubkey(), to_pubkey=authority, lamports=MAKER_LAMPORTS)
            submit(self._runtime, self._ledger, [transfer(funding)], [FAUCET_KEYPAIR])
            _, token_account = self._mint_usdc(authority, MAKER_USDC)
            setup = [
                drift_ix.initialize_user_stats(authority),
                drift_ix.initialize_user(authority, f"Maker {book.symbol}"),
                drift_ix.deposit(authority, 0, MAKER_USDC, token_account),
            ]
            submit(self._runtime, self._ledger, setup, [keypair])

    def _needs_quote(self, book: Book, oracle: int) -> bool:
        centre = self._centres.get(book)
        if centre is None or abs(oracle - centre) * PERCENTAGE_PRECISION // centre >= REQUOTE_MOVE:
            return True
        user = self._ledger.get(drift_ix.user_key(book.keypair.pubkey()))
        if user is None:
            return True
        open_orders = sum(1 for order in decode_user(user.data).orders if type(order.status).__name__ == "Open")
        return open_orders < 2 * len(LEVELS)

    def tick(self, slot: int) -> None:
        """Re-quote the next book (round robin) whose maker needs it. A failure is
        logged, never raised: the slot clock must survive a maker bug."""
        try:
            self._tick(slot)
        except Exception:
            log.exception("makers tick at slot %d failed", slot)

    def _tick(self, slot: int) -> None:
        markets = LedgerMarkets(self._ledger)
        for _ in range(len(BOOKS)):
            book = BOOKS[self._next]
            self._next = (self._next + 1) % len(BOOKS)
            if book.spot:
                market = markets.spot_market(book.market_index)
                oracle, sizes = markets.oracle_price(market.oracle), market
            else:
                market = markets.perp_market(book.market_index)
                oracle, sizes = markets.oracle_price(market.amm.oracle), market.amm
            tick, step = sizes.order_tick_size, sizes.order_step_size
            if self._retry_at.get(book, 0) <= slot and self._needs_quote(book, oracle):
                if not self.quote(book, oracle, tick, step):
                    self._retry_at[book] = slot + RETRY_SLOTS
                return

    def quote(self, book: Book, oracle: int, tick: int, step: int) -> bool:
        """Replace the maker's orders in `book` by a fresh ladder; False if refused."""
        authority = book.keypair.pubkey()
        instructions = [
            drift_ix.cancel_orders(authority, book.market_index, spot=book.spot),
            drift_ix.place_orders(authority, book.market_index, ladder(book, oracle, tick, step), spot=book.spot),
        ]
        if not submit(self._runtime, self._ledger, instructions, [book.keypair]):
            return False
        self._centres[book] = oracle
        return True
