"""The relaunch localnet's data API (trades, candles, funding rates, `/contracts`) over real
HTTP, from its own history and accounts, and the market context the product reads from it."""

import asyncio
import time
from decimal import Decimal

from rekt_localnet.programs.velocity.codec import decode
from rekt_tui.services.market_context import MarketContextService
from rekt_tui.velocity.codec.order_params import OrderParams
from tests.history.velocity_journal import make_funding_due
from tests.localnet.velocity_support import (
    PROGRAM, SOL, USDT, funded_trader, limit, make, send, take, velocity, vrpc,
)  # fmt: skip
from tests.localnet.test_velocity_dlob import get
from tests.services.test_orders_service import settings_for

__all__ = ["velocity", "vrpc"]  # fixtures


async def _until(check, what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        await asyncio.sleep(0.05)


async def test_trades_candles_funding_and_contracts_come_from_the_relaunchs_chain(velocity, vrpc, tmp_path):
    maker, taker = await funded_trader(vrpc, 10_000 * USDT), await funded_trader(vrpc, 1_000 * USDT)
    assert (await send(vrpc, [make(maker, limit("Short", 4 * SOL, 151 * USDT, post_only="MustPostOnly"))],
                       [maker.keypair])).err is None  # fmt: skip
    sent = await send(vrpc, [take(taker, OrderParams("Market", "Long", 3 * SOL, 0, 0), [maker])], [taker.keypair])
    assert sent.err is None, sent.logs
    api = velocity.dlob_url

    status, tape = await get(api, "/market/SOL-PERP/trades", limit="10")
    assert status == 200 and [(r["price"], r["baseAssetAmountFilled"], r["txSig"]) for r in tape["records"]] == [
        (str(151 * USDT), str(3 * SOL), sent.signature)]  # fmt: skip
    status, candles = await get(api, "/market/SOL-PERP/candles/1", limit="5")
    assert status == 200 and candles["success"]
    traded = [c for c in candles["records"] if c["fillClose"] is not None]
    assert [(Decimal(str(c["fillClose"])), Decimal(str(c["quoteVolume"]))) for c in traded] == [(151, 453)]

    async def sampled() -> bool:  # the history folds the oracle into each minute's candle
        _, body = await get(api, "/market/SOL-PERP/candles/1", limit="5")
        return any(c["oracleClose"] is not None for c in body["records"])

    await _until(sampled, "oracle candle")

    make_funding_due(velocity.ledger, 0, 2 * USDT)
    market_key = PROGRAM.pdas.perp_market(0)
    oracle = decode("PerpMarket", velocity.ledger.get(market_key).data)["oracle"]
    accounts = {"state": PROGRAM.pdas.state(), "perp_market": market_key, "oracle": oracle}
    crank = PROGRAM.instructions.build("update_funding_rate", {"market_index": 0}, accounts)
    assert (await send(vrpc, [crank], [taker.keypair])).err is None
    market = decode("PerpMarket", velocity.ledger.get(market_key).data)
    status, funding = await get(api, "/fundingRates", marketName="SOL-PERP")
    assert status == 200 and [int(r["fundingRate"]) for r in funding["fundingRates"]] == [market["last_funding_rate"]]
    assert market["last_funding_rate"] > 0

    status, body = await get(api, "/contracts")
    assert status == 200 and [c["ticker_id"] for c in body["contracts"]] == ["SOL-PERP", "BTC-PERP", "ETH-PERP"]
    sol = body["contracts"][0]
    assert (sol["quote_currency"], Decimal(sol["last_price"]), Decimal(sol["quote_volume"])) == ("USDT", 151, 453)
    assert Decimal(sol["open_interest"]) == 3 and Decimal(sol["funding_rate"]) > 0
    due = market["last_funding_rate_ts"] + market["market_stats"]["funding_period"]
    assert sol["next_funding_rate_timestamp"] == due
    assert (await get(api, "/market/NOPE-PERP/trades"))[0] == 400

    service = MarketContextService.open(settings_for(velocity, tmp_path, "velocity"))
    try:
        overview = await service.overview()
        assert overview.notes == ()  # every source answered
        [context] = [m for m in overview.markets if m.symbol == "SOL-PERP"]
        assert context.contract is not None and context.contract.last_price == 151 * USDT
        assert context.contract.open_interest == 3 * SOL and context.closes
        view = await service.view("SOL-PERP", "1", trades=5, candles=5)
        assert [t.price for t in view.trades] == [151 * USDT] and view.candles
    finally:
        await service.close()
