"""The DLOB API over real HTTP: shapes, sorting, aggregation, depth and units of /l2, /l3,
/topMakers, /auctionParams and /health, against known resting orders in User accounts."""

import time
from fractions import Fraction

import aiohttp
import pytest
from driftpy.dlob.dlob_subscriber import DLOBSubscriber, MarketId
from driftpy.types import MarketType

from rekt_localnet.oracle_feed import OracleFeed
from tests.localnet.dlob_support import SOL, USD, dlob_server, open_ledger, order, place_maker

L2_FIELDS = {
    "bids", "asks", "marketName", "marketType", "marketIndex", "ts", "slot", "markPrice", "bestBidPrice",
    "bestAskPrice", "spreadPct", "spreadQuote", "oracle", "oracleData", "marketSlot",
}


@pytest.fixture
def ledger(tmp_path):
    ledger = open_ledger(tmp_path / "ledger")
    yield ledger
    ledger.close()


@pytest.fixture
async def book(ledger):
    """Two makers on SOL-PERP around 150, one on the SOL spot market; the server's URL."""
    first = place_maker(ledger, [
        order(1, "bid", 149_000_000, 2 * SOL),
        order(2, "bid", 148_500_000, 1 * SOL),
        order(3, "ask", 151_000_000, 3 * SOL),
        order(4, "bid", 149_000_000, 5 * SOL, filled=4 * SOL),  # 1 SOL left
    ])
    second = place_maker(ledger, [
        order(7, "bid", 149_000_000, 4 * SOL),
        order(8, "ask", 150_500_000, 1 * SOL),
        order(9, "ask", 151_000_000, 2 * SOL),
        order(10, "bid", 140_000_000, 1 * SOL, spot=True, market=1),
    ])
    async with dlob_server(ledger) as (server, url), aiohttp.ClientSession() as session:
        yield {"url": url, "session": session, "first": str(first), "second": str(second), "server": server}


async def get(book, path: str, status: int = 200, *, text: bool = False):
    async with book["session"].get(book["url"] + path) as response:
        assert response.status == status, await response.text()
        return await response.json() if status == 200 and not text else await response.text()


async def test_l2_makers_only_aggregates_sorts_and_sums_sources(book):
    l2 = await get(book, "/l2?marketName=SOL-PERP&depth=10&includeVamm=false")
    assert set(l2) == L2_FIELDS
    assert l2["bids"] == [
        {"price": "149000000", "size": str(7 * SOL), "sources": {"dlob": str(7 * SOL)}},
        {"price": "148500000", "size": str(SOL), "sources": {"dlob": str(SOL)}},
    ]
    assert l2["asks"] == [
        {"price": "150500000", "size": str(SOL), "sources": {"dlob": str(SOL)}},
        {"price": "151000000", "size": str(5 * SOL), "sources": {"dlob": str(5 * SOL)}},
    ]
    assert (l2["marketName"], l2["marketType"], l2["marketIndex"]) == ("SOL-PERP", "perp", 0)
    assert l2["bestBidPrice"] == "149000000" and l2["bestAskPrice"] == "150500000"
    assert l2["markPrice"] == "149750000" and l2["spreadQuote"] == "1500000"
    assert l2["spreadPct"] == str(1_500_000 * 100 * 10**6 // 149_750_000)
    assert l2["oracle"] == 150_000_000
    assert l2["oracleData"]["price"] == "150000000" and l2["oracleData"]["confidence"] == "15000"
    assert abs(l2["ts"] - time.time() * 1000) < 5_000 and isinstance(l2["slot"], int)


async def test_l2_with_amm_levels_and_depth(book):
    l2 = await get(book, "/l2?marketIndex=0&marketType=perp&depth=6")
    for side, better in (("bids", int.__gt__), ("asks", int.__lt__)):
        prices = [int(level["price"]) for level in l2[side]]
        assert len(prices) == 6 and all(better(a, b) for a, b in zip(prices, prices[1:]))
        for level in l2[side]:
            assert int(level["size"]) == sum(int(size) for size in level["sources"].values())
            assert set(level["sources"]) <= {"vamm", "dlob"} and int(level["price"]) % 100 == 0
    # The AMM quotes just around its peg (the oracle); the makers sit behind it.
    assert 149_900_000 < int(l2["bids"][0]["price"]) < 150_000_000 < int(l2["asks"][0]["price"]) < 150_100_000
    assert l2["bids"][0]["sources"] == {"vamm": l2["bids"][0]["size"]}
    dlob_bids = [level for level in l2["bids"] if "dlob" in level["sources"]]
    assert dlob_bids[0]["price"] == "149000000" and dlob_bids[0]["sources"]["dlob"] == str(7 * SOL)
    everything = await get(book, "/l2?marketName=sol-perp&depth=-1")
    assert len(everything["bids"]) > 6 and len((await get(book, "/l2?marketName=SOL-PERP"))["bids"]) == 10


async def test_spot_market_book(book):
    l2 = await get(book, "/l2?marketName=SOL&depth=5")
    assert (l2["marketType"], l2["marketIndex"]) == ("spot", 1)
    assert l2["bids"] == [{"price": "140000000", "size": str(SOL), "sources": {"dlob": str(SOL)}}]
    assert l2["asks"] == [] and "markPrice" not in l2


async def test_l3_levels_in_priority_order(book):
    l3 = await get(book, "/l3?marketName=SOL-PERP")
    assert [(level["price"], level["size"], level["orderId"]) for level in l3["bids"]] == [
        ("149000000", str(2 * SOL), 1), ("149000000", str(SOL), 4), ("149000000", str(4 * SOL), 7),
        ("148500000", str(SOL), 2),
    ]
    assert [level["maker"] for level in l3["asks"]] == [book["second"], book["first"], book["second"]]
    assert l3["bids"][0]["maker"] == book["first"] and l3["oracleData"]["price"] == "150000000"


async def test_top_makers(book):
    assert await get(book, "/topMakers?marketName=SOL-PERP&side=bid") == [book["first"], book["second"]]
    assert await get(book, "/topMakers?marketName=SOL-PERP&side=ask&limit=1") == [book["second"]]
    assert "side must be" in await get(book, "/topMakers?marketName=SOL-PERP&side=up", status=400)


async def test_auction_params_walk_the_book(book):
    path = "/auctionParams?marketIndex=0&marketType=perp&direction=short&amount={}&assetType=base&slippageTolerance=1"
    answer = (await get(book, path.format(100 * SOL)))["data"]
    l2 = await get(book, "/l2?marketName=SOL-PERP&depth=-1")
    levels = [(int(level["price"]), int(level["size"])) for level in l2["bids"]]
    left, quote, worst = 100 * SOL, 0, None
    for price, size in levels:
        take = min(size, left)
        quote, left, worst = quote + take * price // SOL, left - take, price
        if not left:
            break
    entry = quote * SOL // (100 * SOL)
    assert answer["bestPrice"] == str(levels[0][0]) and answer["worstPrice"] == str(worst)
    assert answer["entryPrice"] == str(entry)
    assert answer["priceImpact"] == pytest.approx(float(abs(Fraction(entry - levels[0][0], levels[0][0]))))
    assert answer["oraclePrice"] == "150000000" and answer["slippageTolerance"] == "0.01"
    params = answer["params"]
    assert params["direction"] == "short" and params["baseAssetAmount"] == str(100 * SOL)
    assert params["auctionStartPrice"] == l2["markPrice"]
    assert int(params["auctionEndPrice"]) == worst * 99 // 100 // 100 * 100
    quote_order = (await get(book, path.format(1_000 * USD).replace("assetType=base", "assetType=quote")))["data"]
    assert int(quote_order["params"]["baseAssetAmount"]) == pytest.approx(1_000 * SOL // 150, rel=0.001)
    bad = "/auctionParams?marketIndex=0&marketType=perp&direction=sideways&amount=1&assetType=base"
    assert "direction must be" in await get(book, bad, status=400)
    assert "are required" in await get(book, "/auctionParams?marketIndex=0", status=400)


@pytest.mark.parametrize(
    "path, fragment",
    [
        ("/l2?marketName=DOGE-PERP", "unrecognized marketName"),
        ("/l2", "must be supplied"),
        ("/l2?marketIndex=9&marketType=perp", "invalid marketIndex"),
        ("/l3?marketIndex=0&marketType=future", "marketType must be"),
        ("/l2?marketName=SOL-PERP&depth=lots", "depth must be a whole number"),
    ],
)
async def test_bad_market_requests_are_400_with_a_clear_message(book, path, fragment):
    assert fragment in await get(book, path, status=400)


async def test_oracle_offset_in_auction_and_expired_orders(ledger):
    place_maker(ledger, [
        order(1, "bid", 0, SOL, oracle_price_offset=-2_000_000),  # floats 2 below the oracle
        order(2, "ask", 152_000_000, SOL, post_only=False, auction_duration=3, slot=ledger.slot),
        order(3, "ask", 153_000_000, SOL, max_ts=int(time.time()) - 60),
    ])
    feed = OracleFeed(ledger, seed=0, slot_ms=400, walk=False)
    async with dlob_server(ledger) as (server, url), aiohttp.ClientSession() as session:
        async def l3():
            async with session.get(f"{url}/l3?marketName=SOL-PERP") as response:
                return await response.json()

        first = await l3()
        assert [level["price"] for level in first["bids"]] == ["148000000"] and first["asks"] == []
        feed.set_price("SOL", 160_000_000)
        for _ in range(3):
            ledger.advance_slot()
        moved = await l3()
        assert [level["price"] for level in moved["bids"]] == ["158000000"]
        assert [level["orderId"] for level in moved["asks"]] == [2]


async def test_health_and_cached_books(book, ledger):
    assert await get(book, "/health", text=True) == "ok"
    server = book["server"]
    for _ in range(20):
        await get(book, "/l2?marketName=SOL-PERP")
    builds = server.books.builds
    ledger.advance_slot()
    await get(book, "/l2?marketName=SOL-PERP")
    await get(book, "/l3?marketName=SOL-PERP")
    assert server.books.builds == builds + 1


async def test_driftpy_dlob_client_parses_our_answers(book):
    subscriber = DLOBSubscriber(url=book["url"])
    market = MarketId(0, MarketType.Perp())
    try:
        l2 = await subscriber.get_l2_orderbook(market)
        assert l2.bids[0].price and int(l2.bids[0].price) > int(l2.bids[1].price)
        l3 = await subscriber.get_l3_orderbook(market)
        assert str(l3.bids[0].maker) == book["first"] and l3.bids[0].order_id == 1
        async for streamed in subscriber.subscribe_l2_book(market, interval_s=0):
            assert len(streamed.asks) == 10
            break
    finally:
        await DLOBSubscriber.close_session()
