"""HTTP routes of the DLOB API: /l2, /l3, /topMakers, /auctionParams, /health.

Paths, parameters, field names and error texts follow the DLOB server. Deviations,
chosen for a local test bed: `/l2` includes AMM levels unless `includeVamm=false`
(the DLOB server needs `includeVamm=true`), and `/auctionParams` derives a plain
market-order auction (start at the mark, end at the worst price the order would reach
plus the slippage tolerance) rather than the server's fill-quality heuristics.
"""

from decimal import Decimal, InvalidOperation

from aiohttp import web

from rekt_localnet.dlob import views
from rekt_localnet.dlob.book import BookCache
from rekt_localnet.dlob.markets import MarketQueryError, from_query

DEFAULT_DEPTH = 10
DEFAULT_AUCTION_DURATION = 20  # slots
DEFAULT_SLIPPAGE_PERCENT = Decimal("0.5")
PERCENT = 100


def _bad_request(text: str) -> web.Response:
    return web.Response(status=400, text=text)


def _int(query, name: str, default: int | None, *, minimum: int) -> int | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise MarketQueryError(f"Bad Request: {name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise MarketQueryError(f"Bad Request: {name} must be at least {minimum}")
    return value


def _flag(query, name: str, default: bool) -> bool:
    raw = query.get(name)
    return default if raw is None else raw.lower() in ("true", "1")


def routes(books: BookCache, health) -> web.RouteTableDef:
    table = web.RouteTableDef()

    def guarded(handler):
        async def guarded_handler(request: web.Request) -> web.StreamResponse:
            try:
                return handler(request.query)
            except MarketQueryError as error:
                return _bad_request(str(error))

        return guarded_handler

    @table.get("/l2")
    @guarded
    def l2(query):
        snapshot = books.snapshot(from_query(query))
        depth = _int(query, "depth", DEFAULT_DEPTH, minimum=views.ALL_LEVELS)
        include_vamm = _flag(query, "includeVamm", True)
        return web.json_response(views.l2(snapshot, depth=depth, include_vamm=include_vamm))

    @table.get("/l3")
    @guarded
    def l3(query):
        return web.json_response(views.l3(books.snapshot(from_query(query))))

    @table.get("/topMakers")
    @guarded
    def top_makers(query):
        market = from_query(query)
        side = query.get("side")
        if side not in ("bid", "ask"):
            raise MarketQueryError("Bad Request: side must be either bid or ask")
        limit = _int(query, "limit", None, minimum=1)
        return web.json_response(views.top_makers(books.snapshot(market), bids=side == "bid", limit=limit))

    @table.get("/auctionParams")
    @guarded
    def auction_params(query):
        return web.json_response(_auction_params(books, query))

    @table.get("/health")
    async def health_check(_request: web.Request) -> web.Response:
        healthy, detail = health()
        return web.Response(status=200 if healthy else 500, text="ok" if healthy else detail)

    return table


def _auction_params(books: BookCache, query) -> dict:
    required = ("marketIndex", "marketType", "direction", "amount", "assetType")
    if any(not query.get(name) for name in required):
        raise MarketQueryError("Bad Request: marketIndex, marketType, direction, amount, and assetType are required")
    market = from_query({"marketIndex": query["marketIndex"], "marketType": query["marketType"]})
    direction, asset_type = query["direction"], query["assetType"]
    if direction not in ("long", "short"):
        raise MarketQueryError('Bad Request: direction must be either "long" or "short"')
    if asset_type not in ("base", "quote"):
        raise MarketQueryError('Bad Request: assetType must be either "base" or "quote"')
    amount = _int(query, "amount", None, minimum=1)
    duration = _int(query, "auctionDuration", DEFAULT_AUCTION_DURATION, minimum=0)
    try:
        slippage = Decimal(query.get("slippageTolerance") or DEFAULT_SLIPPAGE_PERCENT)
        if not slippage.is_finite() or slippage < 0:
            raise InvalidOperation
    except InvalidOperation:
        raise MarketQueryError("Bad Request: slippageTolerance must be a non-negative percentage") from None
    long = direction == "long"
    found = views.estimate(books.snapshot(market), long=long, amount=amount, base=asset_type == "base")
    tick = market.tick_size
    end = Decimal(found["worst"]) * (1 + slippage / PERCENT if long else 1 - slippage / PERCENT)
    end_price = int(-(-end // tick) * tick) if long else int(end // tick * tick)
    params = {
        "orderType": "market",
        "marketType": market.market_type,
        "marketIndex": market.index,
        "direction": direction,
        "baseAssetAmount": str(found["base"]),
        "reduceOnly": _flag(query, "reduceOnly", False),
        "auctionStartPrice": str(found["mark"]),
        "auctionEndPrice": str(end_price),
        "price": str(end_price),
        "auctionDuration": duration,
    }
    return {
        "data": {
            "params": params,
            "entryPrice": str(found["entry"]),
            "bestPrice": str(found["best"]),
            "worstPrice": str(found["worst"]),
            "oraclePrice": str(found["oracle"]),
            "markPrice": str(found["mark"]),
            "priceImpact": float(found["impact"]),
            "slippageTolerance": str(slippage / PERCENT),
        }
    }
