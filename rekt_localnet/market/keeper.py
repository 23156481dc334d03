"""The keeper: every slot, fire, fill and expire what the oracle and the book allow.

It scans every User with driftpy's fast decoder and sends real Drift instructions
(`trigger_order`, `fill_perp_order`) signed by its own key through the runtime, so
every state change it causes is an ordinary landed transaction with logs. It acts on:

- trigger orders whose condition the oracle meets (trigger_order);
- orders past their max_ts (fill_perp_order, which expires them);
- market orders whose auction price reaches a maker's price, or whose auction is over
  (the AMM then takes the rest);
- limit orders that cross an older maker order or the AMM's quote;
- users below maintenance margin (liquidate_perp on their largest position);
- markets whose funding period has passed (update_funding_rate).

`TradeFeed` turns the fills of landed transactions into the trade records the DLOB
`trades` channel serves.
"""

import json
import logging
import time
from collections import deque
from collections.abc import Callable

from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer

from rekt_localnet.encoding import decode_account
from rekt_localnet.keys import FAUCET_KEYPAIR, fixed_keypair
from rekt_localnet.ledger import Ledger
from rekt_localnet.markets import PERP_MARKETS
from rekt_localnet.programs.drift import FILL_LOG_PREFIX
from rekt_localnet.programs.drift import instructions as drift_ix
from rekt_localnet.programs.drift.constants import EXCHANGE_AMM_PAUSED, PERP_OP_AMM_FILL
from rekt_localnet.programs.drift.margin import MAINTENANCE, figures
from rekt_localnet.programs.drift.pricing import (
    MARKET_TYPES,
    amm_quote,
    auction_complete,
    crosses,
    is_resting_limit,
    limit_price,
)
from rekt_localnet.runtime import Runtime

from .chain import LedgerMarkets, submit, users

log = logging.getLogger(__name__)

KEEPER_KEYPAIR = fixed_keypair("keeper")
KEEPER_LAMPORTS = 10 * 10**9
MAX_MAKERS_PER_FILL = 4
TRADES_KEPT = 1_000
# After a failed attempt the keeper leaves that order, user or market alone this long,
# so a standing refusal (a pause, say) does not cost a failed transaction every slot.
BACKOFF_SLOTS = 50


def _name(value) -> str:
    return type(value).__name__


class Keeper:
    """Runs once a slot (`tick`), after the oracle feed has moved prices."""

    def __init__(self, ledger: Ledger, runtime: Runtime, *, now: Callable[[], float] = time.time) -> None:
        self._ledger = ledger
        self._runtime = runtime
        self._now = now
        self._backoff: dict[tuple, int] = {}
        self._slot = 0
        self.last_tick_ms = 0.0

    def _send(self, reason: tuple, instruction) -> None:
        """Send one instruction unless `reason` failed recently; back off if it fails."""
        if self._backoff.get(reason, -1) > self._slot:
            return
        if not submit(self._runtime, self._ledger, [instruction], [KEEPER_KEYPAIR]):
            self._backoff[reason] = self._slot + BACKOFF_SLOTS

    def bootstrap(self) -> None:
        """Fund the keeper's fee payer from the faucet on a fresh ledger."""
        key = KEEPER_KEYPAIR.pubkey()
        if self._ledger.get(key) is None:
            funding = TransferParams(from_pubkey=FAUCET_KEYPAIR.pubkey(), to_pubkey=key, lamports=KEEPER_LAMPORTS)
            submit(self._runtime, self._ledger, [transfer(funding)], [FAUCET_KEYPAIR])

    def tick(self, slot: int) -> None:
        """One slot's work; a failure is logged, never raised, so the slot clock (which
        the whole chain runs on) survives a keeper bug."""
        try:
            self._tick(slot)
        except Exception:
            log.exception("keeper tick at slot %d failed", slot)

    def _tick(self, slot: int) -> None:
        started = time.perf_counter()
        now = int(self._now())
        self._slot = slot
        self._backoff = {reason: until for reason, until in self._backoff.items() if until > slot}
        book = list(users(self._ledger))
        markets = LedgerMarkets(self._ledger)
        exchange = markets.state().exchange_status
        for user_key, user in book:
            for order in user.orders:
                if _name(order.status) != "Open":
                    continue
                if _name(order.market_type) == "Spot":
                    oracle = markets.oracle_price(markets.spot_market(order.market_index).oracle)
                    self._act_spot(slot, now, book, user_key, user, order, oracle)
                    continue
                market = markets.perp_market(order.market_index)
                oracle = markets.oracle_price(market.amm.oracle)
                amm_open = not (exchange & EXCHANGE_AMM_PAUSED or market.paused_operations & PERP_OP_AMM_FILL)
                self._act(slot, now, book, user_key, user, order, market, oracle, amm_open)
        for user_key, user in book:
            if any(position.base_asset_amount for position in user.perp_positions):
                self._liquidate_if_needed(markets, user_key, user)
        for spec in PERP_MARKETS:
            amm = markets.perp_market(spec.market_index).amm
            if now >= amm.last_funding_rate_ts + amm.funding_period:
                self._send(("funding", spec.market_index), drift_ix.update_funding_rate(spec.market_index))
        self.last_tick_ms = (time.perf_counter() - started) * 1000

    def _liquidate_if_needed(self, markets: LedgerMarkets, user_key: Pubkey, user) -> None:
        """Close the largest position of a user below maintenance margin."""
        health = figures(markets, user, MAINTENANCE)
        if health.total_collateral >= health.requirement:
            return
        def notional(position) -> int:
            oracle = markets.perp_market(position.market_index).amm.oracle
            return abs(position.base_asset_amount) * markets.oracle_price(oracle)

        largest = max((p for p in user.perp_positions if p.base_asset_amount), key=notional)
        instruction = drift_ix.liquidate_perp(
            KEEPER_KEYPAIR.pubkey(), user_key, user.authority, largest.market_index, abs(largest.base_asset_amount)
        )
        self._send(("liquidate", user_key), instruction)

    def _act(self, slot, now, book, user_key, user, order, market, oracle, amm_open) -> None:
        kind = _name(order.order_type)
        if order.max_ts and now > order.max_ts:
            self._fill(user_key, user, order, [])
            return
        if kind.startswith("Trigger") and not _name(order.trigger_condition).startswith("Triggered"):
            above = _name(order.trigger_condition) == "Above"
            if oracle > order.trigger_price if above else oracle < order.trigger_price:
                keeper = KEEPER_KEYPAIR.pubkey()
                instruction = drift_ix.trigger_order(keeper, user_key, order.order_id, order.market_index)
                self._send(("order", user_key, order.order_id), instruction)
            return
        if order.post_only:
            return
        long = _name(order.direction) == "Long"
        limit = limit_price(order, oracle, slot)
        amm_crosses = amm_open and crosses(long, limit, amm_quote(market, oracle, long))
        if kind in MARKET_TYPES:
            amm_ready = amm_crosses and auction_complete(order, slot)
        elif is_resting_limit(order):
            amm_ready = amm_crosses and (not order.auction_duration or auction_complete(order, slot))
        else:
            return
        makers = self._crossing_makers(book, user_key, order, long, limit, oracle, slot)
        if makers or amm_ready:
            self._fill(user_key, user, order, makers)

    def _act_spot(self, slot, now, book, user_key, user, order, oracle) -> None:
        """Spot orders fill only against makers (there is no spot AMM)."""
        expired = order.max_ts and now > order.max_ts
        makers = [] if expired or order.post_only else self._crossing_makers(
            book, user_key, order, _name(order.direction) == "Long", limit_price(order, oracle, slot), oracle, slot
        )
        if expired or makers:
            instruction = drift_ix.fill_spot_order(
                KEEPER_KEYPAIR.pubkey(), user_key, user.authority, order.order_id, order.market_index, makers
            )
            self._send(("order", user_key, order.order_id), instruction)

    def _crossing_makers(self, book, taker_key, taker_order, long, limit, oracle, slot) -> list[tuple[Pubkey, Pubkey]]:
        """Users with a resting order on the other side at a price the taker takes: an older
        order, or a post-only one (a post-only order is always the maker when two cross)."""
        found = []
        for key, user in book:
            if key == taker_key:
                continue
            for order in user.orders:
                if (
                    _name(order.status) == "Open"
                    and _name(order.market_type) == _name(taker_order.market_type)
                    and order.market_index == taker_order.market_index
                    and (_name(order.direction) == "Long") != long
                    and is_resting_limit(order)
                    and (order.slot <= taker_order.slot or order.post_only)
                    and crosses(long, limit, limit_price(order, oracle, slot))
                ):
                    found.append((key, user.authority))
                    break
            if len(found) == MAX_MAKERS_PER_FILL:
                break
        return found

    def _with_referrer(self, authority: Pubkey, makers: list[tuple[Pubkey, Pubkey]]) -> list[tuple[Pubkey, Pubkey]]:
        """The makers, plus the taker's referrer (whose User and UserStats a fill must name
        for the referral split), if it has one."""
        stats = self._ledger.get(drift_ix.stats_key(authority))
        referrer = decode_account(stats.data).referrer if stats is not None else Pubkey.default()
        if referrer == Pubkey.default() or any(maker_authority == referrer for _, maker_authority in makers):
            return makers
        return [*makers, (drift_ix.user_key(referrer), referrer)]

    def _fill(self, user_key, user, order, makers) -> None:
        instruction = drift_ix.fill_perp_order(
            KEEPER_KEYPAIR.pubkey(), user_key, user.authority, order.order_id, order.market_index,
            self._with_referrer(user.authority, makers),
        )
        self._send(("order", user_key, order.order_id), instruction)


class TradeFeed:
    """Trades of landed transactions, newest last (a ledger observer)."""

    def __init__(self, kept: int = TRADES_KEPT) -> None:
        self.trades: deque[dict] = deque(maxlen=kept)
        self._listeners: list[Callable[[dict], None]] = []

    def subscribe(self, listener: Callable[[dict], None]) -> None:
        """Call `listener(trade)` for every new trade."""
        self._listeners.append(listener)

    def recent(self, market_index: int | None = None, limit: int = 100) -> list[dict]:
        selected = [t for t in self.trades if market_index is None or t["market_index"] == market_index]
        return selected[-limit:]

    def on_slot(self, slot: int) -> None:
        pass

    def on_account(self, key, account, slot: int) -> None:
        pass

    def on_transaction(self, record) -> None:
        if record.err is not None:
            return
        marker = "Program log: " + FILL_LOG_PREFIX
        for line in record.meta.get("logMessages") or ():
            if line.startswith(marker):
                trade = json.loads(line[len(marker):])
                trade["signature"] = record.signature
                self.trades.append(trade)
                for listener in self._listeners:
                    listener(trade)
