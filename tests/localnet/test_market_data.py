"""Market data on the localnet: trades, candles, 24 h stats, open interest and funding,
served on Drift's data API paths, each checked against figures computed here from the
chain's own accounts and transactions, and kept across a restart."""

import asyncio
import base64
import json
import time
from dataclasses import replace
from decimal import Decimal

import aiohttp
import pytest
from driftpy.addresses import get_perp_market_public_key
from driftpy.decode.user import decode_user

from rekt_localnet.encoding import ACCOUNT_SIZES, decode_account, encode_account
from rekt_localnet.keys import DRIFT_PROGRAM_ID
from rekt_localnet.markets import PERP_MARKETS

from .conftest import Rpc, start_localnet

SOL_PERP = get_perp_market_public_key(DRIFT_PROGRAM_ID, 0)
FILL_LINE = "Program log: rekt-fill "


async def get(session: aiohttp.ClientSession, url: str):
    async with session.get(url) as response:
        return response.status, (await response.json() if response.status == 200 else await response.text())


async def until(condition, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, "condition never held"
        await asyncio.sleep(0.1)


async def chain_fills(rpc: Rpc, signatures: set[str]) -> list[dict]:
    """Fills read from the logs of the transactions themselves, over JSON-RPC."""
    fills = []
    for signature in signatures:
        transaction = await rpc.result("getTransaction", signature, {"maxSupportedTransactionVersion": 0})
        for line in transaction["meta"]["logMessages"]:
            if line.startswith(FILL_LINE):
                fills.append(json.loads(line[len(FILL_LINE):]))
    return fills


async def perp_positions(rpc: Rpc, market_index: int) -> list[int]:
    accounts = await rpc.result("getProgramAccounts", str(DRIFT_PROGRAM_ID), {"encoding": "base64"})
    bases = []
    for entry in accounts:
        data = base64.b64decode(entry["account"]["data"][0])
        if len(data) == ACCOUNT_SIZES["User"]:
            user = decode_user(data)
            bases += [p.base_asset_amount for p in user.perp_positions if p.market_index == market_index]
    return bases


async def perp_market(rpc: Rpc, market_index: int):
    info = await rpc.result("getAccountInfo", str(get_perp_market_public_key(DRIFT_PROGRAM_ID, market_index)), {"encoding": "base64"})
    return decode_account(base64.b64decode(info["value"]["data"][0]))


@pytest.mark.slow
async def test_trades_candles_stats_and_open_interest_follow_the_chain_and_survive_a_restart(tmp_path):
    data_dir = tmp_path / "data"
    live = await start_localnet(data_dir, slot_ms=50, market_life=True, oracle_walk=True, order_flow=True)
    try:
        async with aiohttp.ClientSession() as session:
            rpc, api = Rpc(session, live.rpc_url), live.dlob_url

            async def traded() -> bool:
                _, body = await get(session, f"{api}/market/SOL-PERP/trades?limit=100")
                return len(body["records"]) >= 4

            await until(traded)
            await rpc.result("rekt_pauseExchange", "all")  # nothing trades from here on
            await asyncio.sleep(0.5)
            _, tape = await get(session, f"{api}/market/SOL-PERP/trades?limit=1000")
            records = tape["records"]
            fills = [f for f in await chain_fills(rpc, {r["txSig"] for r in records}) if f["market_index"] == 0]
            assert len(fills) == len(records)
            assert sorted((int(r["price"]), int(r["baseAssetAmountFilled"])) for r in records) == sorted(
                (f["price"], f["base"]) for f in fills
            )
            assert [r["slot"] for r in records] == sorted((r["slot"] for r in records), reverse=True)
            quote = sum(f["price"] * f["base"] // 10**9 for f in fills)
            base = sum(f["base"] for f in fills)
            assert quote > 0

            status, candles = await get(session, f"{api}/market/SOL-PERP/candles/1?limit=1000")
            assert status == 200 and candles["success"]
            minute = candles["records"]
            assert sum(Decimal(str(c["quoteVolume"])) for c in minute) == Decimal(quote).scaleb(-6)
            assert sum(Decimal(str(c["baseVolume"])) for c in minute) == Decimal(base).scaleb(-9)
            traded_minutes = [c for c in minute if c["fillClose"] is not None]
            newest_fill = max(fills, key=lambda f: f["slot"])
            assert Decimal(str(traded_minutes[0]["fillClose"])) == Decimal(newest_fill["price"]).scaleb(-6)
            assert max(Decimal(str(c["fillHigh"])) for c in traded_minutes) == Decimal(max(f["price"] for f in fills)).scaleb(-6)
            assert all(c["oracleOpen"] is not None for c in minute)
            _, hourly = await get(session, f"{api}/market/SOL-PERP/candles/60?limit=10")
            assert sum(Decimal(str(c["quoteVolume"])) for c in hourly["records"]) == Decimal(quote).scaleb(-6)

            _, contracts = await get(session, f"{api}/contracts")
            sol = next(c for c in contracts["contracts"] if c["ticker_id"] == "SOL-PERP")
            assert Decimal(sol["quote_volume"]) == Decimal(quote).scaleb(-6)
            assert Decimal(sol["base_volume"]) == Decimal(base).scaleb(-9)
            assert Decimal(sol["last_price"]) == Decimal(newest_fill["price"]).scaleb(-6)
            assert Decimal(sol["low"]) == Decimal(min(f["price"] for f in fills)).scaleb(-6)
            for spec in PERP_MARKETS:
                positions = await perp_positions(rpc, spec.market_index)
                contract = next(c for c in contracts["contracts"] if c["ticker_id"] == spec.symbol)
                long = sum(b for b in positions if b > 0)
                assert long == -sum(b for b in positions if b < 0)  # every trade has two sides
                assert Decimal(contract["open_interest"]) == Decimal(long).scaleb(-9)
            assert Decimal(sol["open_interest"]) > 0

            assert (await get(session, f"{api}/market/NOPE-PERP/trades"))[0] == 400
            status, text = await get(session, f"{api}/market/SOL-PERP/candles/7")
            assert status == 400 and text.startswith("Bad Request: resolution must be one of")
    finally:
        await live.stop()

    again = await start_localnet(data_dir, slot_ms=50)
    try:
        async with aiohttp.ClientSession() as session:
            _, after = await get(session, f"{again.dlob_url}/market/SOL-PERP/trades?limit=1000")
            assert after["records"] == records
            _, kept = await get(session, f"{again.dlob_url}/market/SOL-PERP/candles/1?limit=1000")
            assert sum(Decimal(str(c["quoteVolume"])) for c in kept["records"]) == Decimal(quote).scaleb(-6)
            # Every minute comes back, oracle prices included; only the newest may grow since.
            kept_by_ts = {c["ts"]: c for c in kept["records"]}
            for candle in minute:
                again_candle = kept_by_ts[candle["ts"]]
                if candle is minute[0]:
                    fixed = ("oracleOpen", "fillOpen", "fillHigh", "fillLow", "fillClose", "quoteVolume")
                    assert {k: again_candle[k] for k in fixed} == {k: candle[k] for k in fixed}
                else:
                    assert again_candle == candle
    finally:
        await again.stop()


def _toward_zero(numerator: int, denominator: int) -> int:
    quotient = abs(numerator) // denominator
    return quotient if numerator >= 0 else -quotient


@pytest.mark.slow
async def test_hourly_funding_is_written_to_the_market_and_kept_as_history(tmp_path):
    data_dir = tmp_path / "data"
    live = await start_localnet(data_dir, slot_ms=50, market_life=True, oracle_walk=True, order_flow=True)
    try:
        async with aiohttp.ClientSession() as session:
            rpc, api = Rpc(session, live.rpc_url), live.dlob_url
            await until(lambda: has_trades(session, api))
            before = await perp_market(rpc, 0)
            # An hour has passed, as far as the market knows: the keeper cranks funding.
            account = live.ledger.get(SOL_PERP)
            market = decode_account(account.data)
            market.amm.last_funding_rate_ts -= market.amm.funding_period
            live.ledger.put(SOL_PERP, replace(account, data=encode_account("PerpMarket", market)))

            async def cranked() -> bool:
                _, body = await get(session, f"{api}/fundingRates?marketName=SOL-PERP")
                return len(body["fundingRates"]) >= 1

            await until(cranked)
            after = await perp_market(rpc, 0)
            _, body = await get(session, f"{api}/fundingRates?marketName=SOL-PERP")
            record = body["fundingRates"][-1]
            amm = after.amm
            rate = int(record["fundingRate"])
            assert rate == amm.last_funding_rate == amm.last_funding_rate_long
            assert int(record["cumulativeFundingRateLong"]) == amm.cumulative_funding_rate_long
            assert amm.cumulative_funding_rate_long == before.amm.cumulative_funding_rate_long + rate
            assert int(record["oraclePriceTwap"]) == amm.last_funding_oracle_twap
            assert int(record["markPriceTwap"]) == amm.last_mark_price_twap
            # The premium of the mark over the oracle, capped at a 33rd, paid over 24 hours.
            mark, oracle = amm.last_mark_price_twap, amm.last_funding_oracle_twap
            premium = max(-(oracle // 33), min(oracle // 33, mark - oracle))
            assert rate == _toward_zero(premium * 1_000, 24)
            _, contracts = await get(session, f"{api}/contracts")
            sol = next(c for c in contracts["contracts"] if c["ticker_id"] == "SOL-PERP")
            assert Decimal(sol["funding_rate"]) == Decimal(rate) / (1_000 * oracle)
            assert sol["next_funding_rate_timestamp"] == amm.last_funding_rate_ts + amm.funding_period
            transaction = await rpc.result("getTransaction", record["txSig"], {"maxSupportedTransactionVersion": 0})
            assert transaction["slot"] == record["slot"] and transaction["meta"]["err"] is None
    finally:
        await live.stop()

    again = await start_localnet(data_dir, slot_ms=50)
    try:
        async with aiohttp.ClientSession() as session:
            _, kept = await get(session, f"{again.dlob_url}/fundingRates?marketIndex=0")
            assert kept["fundingRates"][-1] == record
    finally:
        await again.stop()


async def has_trades(session, api) -> bool:
    _, body = await get(session, f"{api}/market/SOL-PERP/trades?limit=1")
    return bool(body["records"])
