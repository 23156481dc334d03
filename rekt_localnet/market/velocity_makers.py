"""Makers of a relaunch localnet: users that keep post-only ladders on each perp market's book.

As the Drift localnet's makers (`makers.py`, whose ladder levels and re-quote rule this
shares): one maker per perp market, created through real transactions the first time the
ledger runs (funded by the faucet, quote minted and deposited), re-quoting at most one market
a slot when the oracle moved 5 bps from its last centre or fills ate its orders. A re-quote is
`cancel_orders_v1` and `place_and_make_perp_order_v1`s, in transactions small enough to fit.
Before it, the maker takes other users' orders its fresh quotes would cross, with
`place_and_take_perp_order_v1` naming their owners, as an arbitrageur on the real book would:
a resting bid left above a falling oracle fills, as a keeper fills it on Drift's localnet.
"""

import logging
from collections.abc import Callable
from typing import Literal

from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer

from rekt_localnet.keys import FAUCET_KEYPAIR, TOKEN_PROGRAM_ID, fixed_keypair
from rekt_localnet.ledger import Ledger
from rekt_localnet.programs.velocity.book import ASK, BID, Book
from rekt_localnet.programs.velocity.codec import OrderParams, decode, program, trader_instructions as ti
from rekt_localnet.programs.velocity.constants import BASE_PRECISION, PRICE_PRECISION
from rekt_localnet.programs.velocity.markets import LAZER_SCALE, VELOCITY_PERP_MARKETS, book_addresses, lazer_oracle_address
from rekt_localnet.runtime import Runtime

from .chain import submit
from rekt_localnet.programs.drift.constants import PERCENTAGE_PRECISION

from .makers import LEVELS, MAKER_LAMPORTS, MAKER_USDC, REQUOTE_MOVE, RETRY_SLOTS

log = logging.getLogger(__name__)
PLACES_PER_TRANSACTION = 4


def maker_keypair(market_index: int) -> Keypair:
    return fixed_keypair(f"velocity maker perp {market_index}")


def market_accounts(market_index: int) -> list[AccountMeta]:
    """What a maker's margin check reads: the quote market, the perp market and its oracle."""
    asset = VELOCITY_PERP_MARKETS[market_index].asset
    return [
        AccountMeta(lazer_oracle_address(asset), False, False),
        AccountMeta(program().pdas.spot_market(0), False, False),
        AccountMeta(program().pdas.perp_market(market_index), False, True),
    ]


def ladder(market_index: int, oracle: int, tick: int, step: int) -> list[OrderParams]:
    orders = []
    for offset, notional in LEVELS:
        distance = oracle * offset // PERCENTAGE_PRECISION
        size = max(step, notional * PRICE_PRECISION * BASE_PRECISION // oracle // step * step)
        bid = (oracle - distance) // tick * tick
        ask = -(-(oracle + distance) // tick) * tick
        for direction, price in (("Long", bid), ("Short", ask)):
            orders.append(OrderParams("Limit", direction, size, price, market_index, post_only="MustPostOnly"))
    return orders


def _not_crossing(best: tuple[int | None, int | None], orders: list[OrderParams]) -> list[OrderParams]:
    best_bid, best_ask = best
    return [o for o in orders if (o.direction == "Long" and (best_ask is None or o.price < best_ask))
            or (o.direction == "Short" and (best_bid is None or o.price > best_bid))]  # fmt: skip


class VelocityMakers:
    """The makers of every perp book; `tick` runs once a slot."""

    def __init__(self, ledger: Ledger, runtime: Runtime, mint_quote: Callable[[Pubkey, int], tuple[str, Pubkey]]) -> None:
        self._ledger = ledger
        self._runtime = runtime
        self._mint_quote = mint_quote
        self._centres: dict[int, int] = {}
        self._retry_at: dict[int, int] = {}
        self._next = 0

    def bootstrap(self) -> None:
        """Create and fund any maker that does not exist yet (a fresh ledger)."""
        for spec in VELOCITY_PERP_MARKETS:
            keypair = maker_keypair(spec.market_index)
            authority = keypair.pubkey()
            if self._ledger.get(program().pdas.user(authority, 0)) is not None:
                continue
            funding = TransferParams(from_pubkey=FAUCET_KEYPAIR.pubkey(), to_pubkey=authority, lamports=MAKER_LAMPORTS)
            submit(self._runtime, self._ledger, [transfer(funding)], [FAUCET_KEYPAIR])
            _, token_account = self._mint_quote(authority, MAKER_USDC)
            quote_market = [AccountMeta(program().pdas.spot_market(0), False, True)]
            setup = [
                ti.initialize_user_stats(program(), authority, authority),
                ti.initialize_user(program(), authority, authority, 0, f"Maker {spec.symbol}"),
                ti.deposit(program(), authority, 0, 0, MAKER_USDC, token_account, TOKEN_PROGRAM_ID, remaining=quote_market),
            ]
            submit(self._runtime, self._ledger, setup, [keypair])

    def tick(self, slot: int) -> None:
        """Re-quote the next market (round robin) whose maker needs it; a failure is logged."""
        try:
            self._tick(slot)
        except Exception:
            log.exception("velocity makers tick at slot %d failed", slot)

    def _book(self, market_index: int) -> Book:
        account = self._ledger.get(book_addresses(market_index)[1])
        assert account is not None, "the books are created at genesis"
        return Book.unpack(account.data)

    def _oracle(self, market_index: int) -> int:
        asset = VELOCITY_PERP_MARKETS[market_index].asset
        return decode("PythLazerOracle", self._ledger.get(lazer_oracle_address(asset)).data)["price"] // LAZER_SCALE

    def _needs_quote(self, market_index: int, oracle: int) -> bool:
        centre = self._centres.get(market_index)
        if centre is None or abs(oracle - centre) * PERCENTAGE_PRECISION // centre >= REQUOTE_MOVE:
            return True
        book = self._book(market_index)
        user = program().pdas.user(maker_keypair(market_index).pubkey(), 0)
        return len(book.of_user(user)) < 2 * len(LEVELS)

    def _tick(self, slot: int) -> None:
        for _ in VELOCITY_PERP_MARKETS:
            spec = VELOCITY_PERP_MARKETS[self._next]
            self._next = (self._next + 1) % len(VELOCITY_PERP_MARKETS)
            oracle = self._oracle(spec.market_index)
            if self._retry_at.get(spec.market_index, 0) <= slot and self._needs_quote(spec.market_index, oracle):
                if not self.quote(spec.market_index, oracle, spec.order_tick_size, spec.order_step_size):
                    self._retry_at[spec.market_index] = slot + RETRY_SLOTS
                return

    def _others(self, market_index: int, authority: Pubkey) -> tuple[int | None, int | None]:
        """The best bid and ask other users rest on the book (a post-only ladder must not cross them)."""
        book = self._book(market_index)
        others = [o for o in book.orders if o.authority != authority]
        bids, asks = [o.price for o in others if o.side == BID], [o.price for o in others if o.side == ASK]
        return max(bids, default=None), min(asks, default=None)

    def quote(self, market_index: int, oracle: int, tick: int, step: int) -> bool:
        """Replace the maker's orders on the market's book by a fresh ladder; False if refused."""
        keypair = maker_keypair(market_index)
        authority, book = keypair.pubkey(), ti.BookAccounts(*book_addresses(market_index))
        fresh = ladder(market_index, oracle, tick, step)
        self._take_crossed(market_index, keypair, fresh)
        orders = _not_crossing(self._others(market_index, authority), fresh)
        places: list[Instruction] = [
            ti.place_and_make_perp_order_v1(program(), authority, 0, order, book, remaining=market_accounts(market_index))
            for order in orders
        ]
        batches = [[ti.cancel_orders_v1(program(), authority, 0, market_index, "Both", book)]]
        batches += [places[i : i + PLACES_PER_TRANSACTION] for i in range(0, len(places), PLACES_PER_TRANSACTION)]
        for batch in batches:
            if not submit(self._runtime, self._ledger, batch, [keypair]):
                return False
        self._centres[market_index] = oracle
        return True

    def _take_crossed(self, market_index: int, keypair: Keypair, fresh: list[OrderParams]) -> None:
        """Sell into others' bids at or above the fresh best ask, buy others' asks at or below
        the fresh best bid: one taker order a side, limited to that quote, naming the owners."""
        authority = keypair.pubkey()
        book = self._book(market_index)
        best_bid = max(o.price for o in fresh if o.direction == "Long")
        best_ask = min(o.price for o in fresh if o.direction == "Short")
        slot = self._ledger.slot
        sides: tuple[tuple[int, Literal["Long", "Short"], int], ...] = ((BID, "Short", best_ask), (ASK, "Long", best_bid))
        for side, direction, limit in sides:
            crossed = [o for o in book.orders if o.authority != authority and o.side == side and o.active_slot <= slot
                       and (o.price >= limit if side == BID else o.price <= limit)]  # fmt: skip
            if not crossed:
                continue
            owners: list[AccountMeta] = []
            for order in {o.user: o for o in crossed}.values():
                owners += [AccountMeta(order.user, False, True),
                           AccountMeta(program().pdas.user_stats(order.authority), False, True)]  # fmt: skip
            take = OrderParams("Limit", direction, sum(o.base_remaining for o in crossed), limit, market_index)
            instruction = ti.place_and_take_perp_order_v1(
                program(), authority, 0, take, ti.BookAccounts(*book_addresses(market_index)),
                remaining=market_accounts(market_index) + owners,
            )
            if not submit(self._runtime, self._ledger, [instruction], [keypair]):
                log.info("maker of perp %d could not take %d crossed order(s)", market_index, len(crossed))
