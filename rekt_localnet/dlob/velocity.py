"""The DLOB API of a relaunch localnet: its on-chain books over the same paths and messages.

`VelocityDlobServer` is the `DlobServer` of a ledger that runs the relaunched program: books
come from each perp market's `clob_market` (the localnet's order-book program, see
`programs/velocity/book.py`) and oracles from its PythLazerOracle; there is no AMM, and no
spot book. Paths:

- `/l2`, `/l3`, `/health` and the `/ws` orderbook channels as the Drift localnet answers them
  (`includeVamm` is accepted and changes nothing). In `/l3`, `maker` is the resting order's User
  account: a taker passes it (and its UserStats) to `place_and_take_perp_order_v1` among the
  remaining accounts, writable, to fill against that order.
- `/userOrders?userAccount=<User address>[&marketIndex=<perp index>]`: that User's resting book
  orders (they are not in `User.orders`), in book priority order per market:

      {"userAccount": "<User>", "slot": 1234, "orders": [
        {"marketIndex": 0, "marketType": "perp", "orderId": 7, "nodeIndex": 2,
         "direction": "long" | "short", "price": "151000000", "baseAssetAmount": "4000000000",
         "baseAssetAmountFilled": "3000000000", "userOrderId": 0, "placedSlot": 120,
         "activeSlot": 120, "maxTs": "0", "postOnly": true, "reduceOnly": false}]}

  `orderId` and `nodeIndex` are the order's `OrderRef` for `cancel_order_v1` / `modify_order_v1`;
  prices are 1e6 and sizes 1e9 as integer strings; `activeSlot` is the first slot takers can
  match it (the activation delay). A missing or malformed `userAccount`, or an unknown
  `marketIndex`, is HTTP 400 with one sentence.
- The data API paths (`data_api.py`: trades, candles, funding rates, `/contracts`) from the
  localnet's own history, as on Drift; a contract's figures come from the relaunch's
  PerpMarket and PythLazerOracle, its quote is the relaunch's (USDT).
"""



from aiohttp import web
from solders.pubkey import Pubkey

from rekt_localnet.dlob import DlobServer, _compact, views
from rekt_localnet.dlob.data_api import ChainFigures, contract_body, data_routes
from rekt_localnet.dlob.book import L3Order, OracleData, Snapshot
from rekt_localnet.dlob.http import DEFAULT_DEPTH, _int
from rekt_localnet.dlob.levels import Level, aggregate
from rekt_localnet.dlob.markets import PERP, DlobMarket, MarketQueryError
from rekt_localnet.programs.velocity.book import BID, Book, RestingOrder
from rekt_localnet.programs.velocity.codec import decode, program
from rekt_localnet.ledger import Ledger
from rekt_localnet.market.history import MarketHistory
from rekt_localnet.programs.drift.funding import funding_rate
from rekt_localnet.programs.drift.twaps import time_weighted
from rekt_localnet.programs.velocity.markets import (
    LAZER_SCALE, QUOTE_SYMBOL, VELOCITY_PERP_MARKETS, book_addresses, lazer_oracle_address,
)  # fmt: skip

MARKETS = tuple(
    DlobMarket(spec.symbol, PERP, spec.market_index, program().pdas.perp_market(spec.market_index),
               lazer_oracle_address(spec.asset), spec.order_tick_size, spec.order_step_size)  # fmt: skip
    for spec in VELOCITY_PERP_MARKETS
)
BY_INDEX = {market.index: market for market in MARKETS}
BY_NAME = {market.name: market for market in MARKETS}


def market_from_query(query) -> DlobMarket:
    name = query.get("marketName")
    if name:
        market = BY_NAME.get(name.strip().upper())
        if market is None:
            raise MarketQueryError(f"Bad Request: unrecognized marketName {name!r}")
        return market
    index, market_type = query.get("marketIndex"), query.get("marketType")
    if index is None or market_type is None:
        raise MarketQueryError("Bad Request: (marketName) or (marketIndex and marketType) must be supplied")
    try:
        if market_type.lower() != PERP:
            raise KeyError(market_type)
        return BY_INDEX[int(index)]
    except (ValueError, KeyError):
        raise MarketQueryError(f"Bad Request: invalid marketIndex {index!r} for marketType {market_type}") from None


def order_json(order: RestingOrder, market_index: int) -> dict:
    return {
        "marketIndex": market_index, "marketType": PERP, "orderId": order.order_id, "nodeIndex": order.node_index,
        "direction": "long" if order.side == BID else "short", "price": str(order.price),
        "baseAssetAmount": str(order.base_original),
        "baseAssetAmountFilled": str(order.base_original - order.base_remaining),
        "userOrderId": order.user_order_id, "placedSlot": order.placed_slot, "activeSlot": order.active_slot,
        "maxTs": str(order.max_ts), "postOnly": True, "reduceOnly": False,
    }  # fmt: skip


def _oracle_price(ledger: Ledger, oracle) -> int:
    return decode("PythLazerOracle", ledger.get(oracle).data)["price"] // LAZER_SCALE


def perp_oracle_prices(ledger: Ledger) -> dict[int, int]:
    """Each perp market's oracle price now (1e6), for the history's oracle candles."""
    return {market.index: _oracle_price(ledger, market.oracle) for market in MARKETS}


def contracts(ledger: Ledger, history: MarketHistory, now: int) -> list[dict]:
    """`/contracts` of the relaunch: its PerpMarkets' funding and open interest, the day's trades."""
    found = []
    for spec in VELOCITY_PERP_MARKETS:
        market = decode("PerpMarket", ledger.get(BY_INDEX[spec.market_index].address).data)
        stats = market["market_stats"]
        oracle = _oracle_price(ledger, BY_INDEX[spec.market_index].oracle)
        oracle_twap = stats["historical_oracle_data"]["last_oracle_price_twap"]
        period = stats["funding_period"]
        mark = stats["last_mark_price_twap"] or oracle
        mark_now = time_weighted(mark, oracle, stats["last_mark_price_twap_ts"], now, period)
        chain = ChainFigures(oracle, market["base_asset_amount_long"], market["last_funding_rate"],
                             stats["last_funding_oracle_twap"], funding_rate(mark_now, oracle_twap), oracle_twap,
                             market["last_funding_rate_ts"] + period)  # fmt: skip
        found.append(contract_body(history, spec, now, chain, QUOTE_SYMBOL))
    return found


class VelocityDlobServer(DlobServer):
    """The DLOB API over the relaunch's books (see the module docstring for its paths)."""

    def book(self, market_index: int) -> Book:
        return Book.unpack(self._ledger.get(book_addresses(market_index)[1]).data)

    def snapshot(self, market: DlobMarket) -> Snapshot:
        slot = self._ledger.slot
        oracle = decode("PythLazerOracle", self._ledger.get(market.oracle).data)
        price = oracle["price"] // LAZER_SCALE
        data = OracleData(price, oracle["posted_slot"], oracle["conf"] // LAZER_SCALE, price, price)
        book = self.book(market.index)
        l3 = {side: [L3Order(o.price, o.base_remaining, o.user, o.order_id) for o in book.side(side)
                     if o.active_slot <= slot] for side in (0, 1)}  # fmt: skip
        levels = {side: aggregate((Level(o.price, o.size, {"dlob": o.size}) for o in l3[side]), bids=side == BID)
                  for side in (0, 1)}  # fmt: skip
        return Snapshot(market, slot, slot, data, levels[0], levels[1], levels[0], levels[1], l3[0], l3[1])

    def user_orders(self, query) -> dict:
        try:
            user = Pubkey.from_string(query.get("userAccount") or "")
        except ValueError:
            raise MarketQueryError("Bad Request: userAccount must be the address of a User account") from None
        indexes = list(BY_INDEX)
        if query.get("marketIndex"):
            indexes = [market_from_query({"marketIndex": query["marketIndex"], "marketType": PERP}).index]
        orders = [order_json(o, index) for index in indexes for side in (0, 1)
                  for o in self.book(index).side(side) if o.user == user]  # fmt: skip
        return {"userAccount": str(user), "slot": self._ledger.slot, "orders": orders}

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._faults.middleware(exempt_admin=False)])

        def answer(build):
            async def handler(request: web.Request) -> web.Response:
                try:
                    return web.json_response(build(request.query))
                except MarketQueryError as error:
                    return web.Response(status=400, text=str(error))

            return handler

        def l2(query) -> dict:
            depth = _int(query, "depth", DEFAULT_DEPTH, minimum=views.ALL_LEVELS)
            return views.l2(self.snapshot(market_from_query(query)), depth=depth, include_vamm=False)

        async def health(_request: web.Request) -> web.Response:
            healthy, detail = self._health()
            return web.Response(status=200 if healthy else 500, text="ok" if healthy else detail)

        app.router.add_get("/l2", answer(l2))
        app.router.add_get("/l3", answer(lambda query: views.l3(self.snapshot(market_from_query(query)))))
        app.router.add_get("/userOrders", answer(self.user_orders))
        app.router.add_get("/health", health)
        app.router.add_get("/ws", self.hub.handle)
        history = self._history
        if history is not None:

            def listed(now: int) -> list[dict]:
                return contracts(self._ledger, history, now)

            app.add_routes(data_routes(self._ledger, history, contracts=listed, market_of=market_from_query))

        async def close_sockets(_app: web.Application) -> None:
            await self.hub.close_all()

        app.on_shutdown.append(close_sockets)
        return app

    def _book_message(self, channel: str) -> tuple[str, str] | None:
        for market in MARKETS:
            if channel == f"orderbook_{market.channel_suffix}":
                body = views.l2(self.snapshot(market), depth=100, include_vamm=False)
                content = {key: value for key, value in body.items() if key not in ("ts", "slot")}
                return _compact(body), _compact(content)
        return None

