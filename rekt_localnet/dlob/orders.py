"""Resting orders of every Drift User in the ledger, kept up to date incrementally.

The index observes the ledger: when a User account changes, only that account is decoded
again (with driftpy's fast `decode_user`) and only the markets whose orders changed get a
new version. Changes to a market's own account or its oracle also bump its version,
since they move AMM levels and oracle-offset orders. Books are rebuilt from these
versions (see `book.py`), never per request.
"""

from collections import defaultdict
from dataclasses import dataclass

from driftpy.decode.user import decode_user
from solders.pubkey import Pubkey

from rekt_localnet.account import Account
from rekt_localnet.dlob.markets import MARKETS, PERP, SPOT
from rekt_localnet.encoding import ACCOUNT_SIZES, discriminator
from rekt_localnet.keys import DRIFT_PROGRAM_ID
from rekt_localnet.ledger import Ledger
from rekt_localnet.store import TransactionRecord

# Order types and trigger conditions by their index in the IDL.
LIMIT = 1
TRIGGER_LIMIT = 3
TRIGGERED = (2, 3)
LONG = 0


@dataclass(frozen=True, slots=True)
class RestingOrder:
    """One open limit order, as the book needs it."""

    maker: Pubkey  # the User account
    order_id: int
    is_bid: bool
    price: int  # 0 for an oracle-offset order
    oracle_offset: int
    size: int  # still unfilled, 1e9
    slot: int
    resting_from_slot: int  # after its auction, unless post-only
    max_ts: int

    def price_at(self, oracle_price: int) -> int:
        return self.price if self.price else oracle_price + self.oracle_offset


def _resting(user_key: Pubkey, data: bytes) -> dict[tuple[str, int], list[RestingOrder]]:
    by_market: dict[tuple[str, int], list[RestingOrder]] = defaultdict(list)
    for order in decode_user(data).orders:
        kind = order.order_type.index
        if kind != LIMIT and not (kind == TRIGGER_LIMIT and order.trigger_condition.index in TRIGGERED):
            continue
        size = order.base_asset_amount - order.base_asset_amount_filled
        if size <= 0 or (order.price == 0 and order.oracle_price_offset == 0):
            continue
        market_type = PERP if order.market_type.index == 1 else SPOT
        by_market[(market_type, order.market_index)].append(
            RestingOrder(
                maker=user_key,
                order_id=order.order_id,
                is_bid=order.direction.index == LONG,
                price=order.price,
                oracle_offset=order.oracle_price_offset,
                size=size,
                slot=order.slot,
                resting_from_slot=order.slot if order.post_only else order.slot + order.auction_duration,
                max_ts=order.max_ts,
            )
        )
    return by_market


class OrderIndex:
    """A ledger observer holding resting orders per market, with a version per market."""

    def __init__(self, ledger: Ledger) -> None:
        self._user_discriminator = discriminator("User")
        self._orders: dict[tuple[str, int], dict[Pubkey, list[RestingOrder]]] = defaultdict(dict)
        self._markets_of: dict[Pubkey, set[tuple[str, int]]] = {}
        self._versions: dict[tuple[str, int], int] = defaultdict(int)
        self._watched: dict[Pubkey, list[tuple[str, int]]] = defaultdict(list)
        self._market_accounts = {market.address: market.key for market in MARKETS}
        # The slot each market account last changed in (the DLOB API's `marketSlot`).
        self.market_slots = {market.key: ledger.slot for market in MARKETS}
        for market in MARKETS:
            self._watched[market.address].append(market.key)
            self._watched[market.oracle].append(market.key)
        for key, account in ledger.owned_by(DRIFT_PROGRAM_ID):
            self.on_account(key, account, ledger.slot)

    def version(self, market: tuple[str, int]) -> int:
        return self._versions[market]

    def orders(self, market: tuple[str, int]) -> list[RestingOrder]:
        return [order for orders in self._orders[market].values() for order in orders]

    def on_slot(self, slot: int) -> None:
        pass

    def on_transaction(self, record: TransactionRecord) -> None:
        pass

    def on_account(self, key: Pubkey, account: Account | None, slot: int) -> None:
        for market in self._watched.get(key, ()):
            self._versions[market] += 1
        if key in self._market_accounts:
            self.market_slots[self._market_accounts[key]] = slot
        is_user = (
            account is not None
            and account.owner == DRIFT_PROGRAM_ID
            and len(account.data) == ACCOUNT_SIZES["User"]
            and account.data[:8] == self._user_discriminator
        )
        if not is_user and key not in self._markets_of:
            return
        resting = _resting(key, account.data) if is_user else {}
        before = self._markets_of.pop(key, set())
        for market in before:
            if self._orders[market].pop(key) != resting.get(market):
                self._versions[market] += 1
        for market, orders in resting.items():
            self._orders[market][key] = orders
            if market not in before:
                self._versions[market] += 1
        if resting:
            self._markets_of[key] = set(resting)
