"""Market context against a live localnet: every figure the service gives is checked
against one computed here from the chain's own accounts (PerpMarket, oracles, users,
fill logs) read over JSON-RPC, and from the data API's served history."""

import base64
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest

from rekt_localnet.encoding import decode_account, encode_account
from rekt_localnet.markets import PERP_MARKETS
from rekt_tui.config import Settings
from rekt_tui.config.models import DEFAULT_PROFILES, ClusterProfile
from rekt_tui.domain.errors import UsageError
from rekt_tui.domain.market_context import MarketDataError
from rekt_tui.domain.records import Direction
from rekt_tui.services.market_context import MarketContextService
from tests.localnet.conftest import Rpc, start_localnet
from tests.services.garbage_server import garbage_server  # noqa: F401 (a fixture)
from tests.localnet.test_market_data import SOL_PERP, chain_fills, get, perp_market, perp_positions, until


def settings_for(data_dir: Path, *, rpc_url: str, ws_url: str, dlob_url: str, data_api_url: str | None = None) -> Settings:
    profile = ClusterProfile(**{
        **DEFAULT_PROFILES["localnet"], "rpc_url": rpc_url, "ws_url": ws_url, "dlob_url": dlob_url,
        "dlob_ws_url": dlob_url.replace("http", "ws", 1) + "/ws", "data_api_url": data_api_url,
    })  # fmt: skip
    return Settings(data_dir=data_dir, cluster="localnet", clusters={"localnet": profile})


async def oracle_price(rpc: Rpc, address) -> int:
    info = await rpc.result("getAccountInfo", str(address), {"encoding": "base64"})
    return decode_account(base64.b64decode(info["value"]["data"][0])).price


def hourly(rate: int, oracle_twap: int) -> Decimal:
    # Drift: funding rate is quote 1e6 x 1e3 per base; the price is 1e6.
    return Decimal(rate) / (1_000 * oracle_twap)


@pytest.mark.slow
async def test_every_figure_matches_the_chain_and_the_served_history(tmp_path):
    live = await start_localnet(tmp_path / "data", slot_ms=50, market_life=True, order_flow=True)
    service = MarketContextService.open(
        settings_for(tmp_path, rpc_url=live.rpc_url, ws_url=live.ws_url, dlob_url=live.dlob_url)
    )
    try:
        async with aiohttp.ClientSession() as session:
            rpc, api = Rpc(session, live.rpc_url), live.dlob_url

            async def traded() -> bool:
                _, body = await get(session, f"{api}/market/SOL-PERP/trades?limit=100")
                return len(body["records"]) >= 4

            await until(traded)
            # An hour has passed, as far as SOL-PERP knows: the keeper pays funding.
            account = live.ledger.get(SOL_PERP)
            market = decode_account(account.data)
            market.amm.last_funding_rate_ts -= market.amm.funding_period
            live.ledger.put(SOL_PERP, replace(account, data=encode_account("PerpMarket", market)))

            async def cranked() -> bool:
                _, body = await get(session, f"{api}/fundingRates?marketName=SOL-PERP")
                return len(body["fundingRates"]) >= 1

            await until(cranked)
            await rpc.result("rekt_pauseExchange", "all")  # nothing trades or pays from here on
            await until(lambda: _quiet(session, api))

            overview = await service.overview()
            now = service.now()
            assert overview.notes == ()
            assert [m.symbol for m in overview.markets] == [spec.symbol for spec in PERP_MARKETS]
            for context in overview.markets:
                amm = (await perp_market(rpc, context.chain.market_index)).amm
                positions = await perp_positions(rpc, context.chain.market_index)
                assert context.chain.base_long == sum(b for b in positions if b > 0)
                assert context.chain.base_short == -sum(b for b in positions if b < 0)
                assert context.chain.oracle_price == await oracle_price(rpc, amm.oracle)
                assert context.chain.last_funding_rate == amm.last_funding_rate
                assert context.chain.last_hourly_rate == hourly(amm.last_funding_rate, amm.last_funding_oracle_twap)
                assert context.countdown_s(now) == max(0, amm.last_funding_rate_ts + amm.funding_period - now)
                assert context.chain.status == "active"

                records = (await get(session, f"{api}/market/{context.symbol}/trades?limit=1000"))[1]["records"]
                fills = [f for f in await chain_fills(rpc, {r["txSig"] for r in records})
                         if f["market_index"] == context.chain.market_index]  # fmt: skip
                assert context.contract is not None
                assert context.contract.base_volume == sum(f["base"] for f in fills)
                assert context.contract.quote_volume == sum(f["price"] * f["base"] // 10**9 for f in fills)
                if fills:
                    newest, oldest = max(fills, key=lambda f: f["slot"]), min(fills, key=lambda f: f["slot"])
                    assert context.contract.last_price == newest["price"]
                    assert context.contract.high == max(f["price"] for f in fills)
                    expected = Decimal(newest["price"] - oldest["price"]) / oldest["price"]
                    assert context.change_24h == expected

            sol = overview.markets[0]
            amm = (await perp_market(rpc, 0)).amm
            assert sol.chain.last_funding_rate != 0  # a real payment, not the genesis zero
            assert sol.chain.next_funding_ts == amm.last_funding_rate_ts + amm.funding_period

            # The header's mark is the book's, so the premium is the book's over the oracle.
            context, notes = await service.context("sol")
            _, book = await get(session, f"{api}/l2?marketName=SOL-PERP&depth=1")
            assert notes == () and context.mark_price == int(book["markPrice"])
            oracle = await oracle_price(rpc, amm.oracle)
            assert context.premium == Decimal(int(book["markPrice"]) - oracle) / oracle

            funding = await service.funding("SOL-PERP")
            paid = funding.history[-1]
            assert (paid.rate, paid.oracle_twap, paid.mark_twap) == (
                amm.last_funding_rate, amm.last_funding_oracle_twap, amm.last_mark_price_twap
            )
            assert paid.hourly == sol.chain.last_hourly_rate

            trades = await service.trades("SOL-PERP", 1000)
            fills = [f for f in await chain_fills(rpc, {t.signature for t in trades}) if f["market_index"] == 0]
            assert sorted((t.price, t.base, t.side) for t in trades) == sorted(
                (f["price"], f["base"], Direction(f["taker_direction"])) for f in fills
            )
            assert [t.slot for t in trades] == sorted((t.slot for t in trades), reverse=True)
            minutes = await service.candles("SOL-PERP", "1", 1000)
            assert sum(c.base_volume for c in minutes) == sum(f["base"] for f in fills)

            with pytest.raises(UsageError, match="no perp market 'DOGE'"):
                await service.trades("DOGE", 5)
    finally:
        await service.close()
        await live.stop()


async def _quiet(session: aiohttp.ClientSession, api: str) -> bool:
    """True once two reads of the tape a moment apart agree (fills in flight have landed)."""
    import asyncio

    first = (await get(session, f"{api}/market/SOL-PERP/trades?limit=1"))[1]["records"]
    await asyncio.sleep(0.3)
    return first == (await get(session, f"{api}/market/SOL-PERP/trades?limit=1"))[1]["records"]


async def test_a_silent_cluster_is_one_sentence(tmp_path):
    # Nothing listens on port 9 of loopback: every source refuses the connection.
    service = MarketContextService.open(
        settings_for(tmp_path, rpc_url="http://127.0.0.1:9", ws_url="ws://127.0.0.1:10", dlob_url="http://127.0.0.1:9")
    )
    try:
        with pytest.raises(MarketDataError) as raised:
            await service.overview()
        assert str(raised.value).startswith("http://127.0.0.1:9") and str(raised.value).endswith(".")
        with pytest.raises(MarketDataError, match="gave no usable answer to /contracts"):
            await service.data.contracts()
    finally:
        await service.close()


async def test_garbage_from_every_source_is_one_sentence(tmp_path, garbage_server):  # noqa: F811
    service = MarketContextService.open(
        settings_for(tmp_path, rpc_url=garbage_server, ws_url="ws://127.0.0.1:9", dlob_url=garbage_server)
    )
    reads = {
        "/contracts": lambda: service.data.contracts(),
        "/market/SOL-PERP/trades": lambda: service.data.trades("SOL-PERP", 5),
        "/market/SOL-PERP/candles/60": lambda: service.data.candles("SOL-PERP", "60", 5),
        "/fundingRates": lambda: service.data.funding_history("SOL-PERP"),
        "/l2": lambda: service.data.book("SOL-PERP", 5),
        "perp markets": lambda: service.overview(),
        "/market/SOL-PERP/candles/1": lambda: service.data.candles("SOL-PERP", "1", 5),
    }
    try:
        for path, read in reads.items():
            with pytest.raises(MarketDataError) as raised:
                await read()
            sentence = str(raised.value)
            assert path in sentence and sentence.startswith(garbage_server) and sentence.count(".") >= 1, sentence
            assert "\n" not in sentence and "Traceback" not in sentence
    finally:
        await service.close()
