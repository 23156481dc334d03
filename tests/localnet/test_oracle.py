"""The oracle feed: a seeded walk every slot, replay files, exact admin prices, and driftpy
seeing the moves over its websocket subscription."""

import asyncio
import time

import pytest
from driftpy.account_subscription_config import AccountSubscriptionConfig
from driftpy.addresses import get_perp_market_public_key
from driftpy.drift_client import DriftClient
from solana.rpc.async_api import AsyncClient
from solders.keypair import Keypair

from rekt_localnet import LOCALNET_LOOKUP_TABLE
from rekt_localnet.encoding import decode_account
from rekt_localnet.genesis import oracle_address
from rekt_localnet.keys import DRIFT_PROGRAM_ID
from rekt_localnet.markets import DEFAULT_PRICES
from rekt_localnet.oracle_feed import OracleFeed, OraclePriceError, parse_price
from rekt_localnet.oracle_replay import ReplayError, load_replay
from tests.localnet.conftest import start_localnet
from tests.localnet.dlob_support import open_ledger

WALKED = ("SOL", "BTC", "ETH")


def walk_path(directory, seed: int, slots: int = 30) -> list[tuple[int, ...]]:
    ledger = open_ledger(directory)
    feed = OracleFeed(ledger, seed=seed, slot_ms=400)
    path = []
    for _ in range(slots):
        feed.tick(ledger.advance_slot())
        path.append(tuple(feed.price(asset) for asset in WALKED))
    ledger.close()
    return path


def test_walk_is_deterministic_per_seed_and_moves_every_slot(tmp_path):
    first, again, other = (walk_path(tmp_path / name, seed) for name, seed in (("a", 7), ("b", 7), ("c", 8)))
    assert first == again
    assert first != other
    previous = tuple(DEFAULT_PRICES[asset] for asset in WALKED)
    for prices in first:
        assert all(price != before and price > 0 for price, before in zip(prices, previous))
        previous = prices
    # 30 slots of 400 ms at 60-75 % a year: each asset moves well under 1 %.
    assert all(abs(price - DEFAULT_PRICES[asset]) < DEFAULT_PRICES[asset] // 100 for asset, price in zip(WALKED, first[-1]))


def test_walk_writes_the_oracle_account_and_repegs_the_perp_amm(tmp_path):
    ledger = open_ledger(tmp_path)
    feed = OracleFeed(ledger, seed=1, slot_ms=400)
    slot = ledger.advance_slot()
    feed.tick(slot)
    oracle = decode_account(ledger.get(oracle_address("SOL")).data)
    assert oracle.amm_last_update_slot == slot and oracle.price == feed.price("SOL")
    assert oracle.confidence == oracle.price // 10_000
    market = decode_account(ledger.get(get_perp_market_public_key(DRIFT_PROGRAM_ID, 0)).data)
    assert market.amm.peg_multiplier == oracle.price
    assert market.amm.historical_oracle_data.last_oracle_price == oracle.price
    assert feed.price("USDC") == DEFAULT_PRICES["USDC"]
    ledger.close()


def test_replay_drives_prices_by_slot_offset(tmp_path):
    csv = tmp_path / "prices.csv"
    csv.write_text("# SOL only\nslot_offset,market,price\n0,SOL-PERP,150.5\n2,sol,151.000001\n3,BTC,99000\n")
    ledger = open_ledger(tmp_path / "ledger")
    feed = OracleFeed(ledger, seed=0, slot_ms=400, walk=False, replay=load_replay(csv, 400))
    seen = []
    for _ in range(5):
        feed.tick(ledger.advance_slot())
        seen.append((feed.price("SOL"), feed.price("BTC"), feed.price("ETH")))
    assert seen == [
        (150_500_000, DEFAULT_PRICES["BTC"], DEFAULT_PRICES["ETH"]),
        (150_500_000, DEFAULT_PRICES["BTC"], DEFAULT_PRICES["ETH"]),
        (151_000_001, DEFAULT_PRICES["BTC"], DEFAULT_PRICES["ETH"]),
        (151_000_001, 99_000_000_000, DEFAULT_PRICES["ETH"]),
        (151_000_001, 99_000_000_000, DEFAULT_PRICES["ETH"]),
    ]
    ledger.close()


def test_replay_by_timestamp_and_walk_for_the_rest(tmp_path):
    csv = tmp_path / "prices.csv"
    csv.write_text("timestamp,market,price\n1767225600.0,ETH-PERP,3000\n1767225600.8,ETH-PERP,3001\n")
    ledger = open_ledger(tmp_path / "ledger")
    feed = OracleFeed(ledger, seed=0, slot_ms=400, replay=load_replay(csv, 400))
    prices = []
    for _ in range(3):
        feed.tick(ledger.advance_slot())
        prices.append((feed.price("ETH"), feed.price("SOL")))
    assert [eth for eth, _ in prices] == [3_000_000_000, 3_000_000_000, 3_001_000_000]
    assert len({sol for _, sol in prices}) == 3  # SOL is not in the file: it walks
    ledger.close()


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("", "no header"),
        ("when,market,price\n0,SOL,1\n", "header must be"),
        ("slot_offset,market,price\n", "no prices"),
        ("slot_offset,market,price\n0,SOL\n", "line 2 has 2 columns"),
        ("slot_offset,market,price\nsoon,SOL,1\n", "line 2: slot_offset 'soon'"),
        ("slot_offset,market,price\n1.5,SOL,1\n", "line 2: slot_offset '1.5'"),
        ("slot_offset,market,price\n0,DOGE-PERP,1\n", "line 2: unknown market 'DOGE-PERP'"),
        ("slot_offset,market,price\n0,SOL,-3\n", "line 2: price '-3' must be a positive number"),
        ("slot_offset,market,price\n0,SOL,1.0000001\n", "more than 6 decimals"),
    ],
)
def test_bad_replay_file_is_one_clear_sentence(tmp_path, content, fragment):
    csv = tmp_path / "bad.csv"
    csv.write_text(content)
    with pytest.raises(ReplayError) as error:
        load_replay(csv, 400)
    message = str(error.value)
    assert message.startswith(f"--oracle-replay {csv}: ") and fragment in message and "\n" not in message


def test_missing_replay_file(tmp_path):
    with pytest.raises(ReplayError, match="cannot read it"):
        load_replay(tmp_path / "absent.csv", 400)


def test_parse_price_is_exact():
    assert parse_price("151.234567") == 151_234_567
    assert parse_price("0.000001") == 1
    assert parse_price("100000") == 100_000_000_000
    for bad in ("nan", "inf", "0", "1e-7", "abc", "-1"):
        with pytest.raises(OraclePriceError):
            parse_price(bad)


async def test_set_oracle_price_over_admin_rpc(localnet, rpc):
    answer = await rpc.result("rekt_setOraclePrice", "SOL-PERP", "163.123456")
    assert answer["asset"] == "SOL" and answer["price"] == 163_123_456
    assert localnet.oracle.price("SOL") == 163_123_456
    assert (await rpc.result("rekt_setOraclePrice", 1, "98765.5"))["asset"] == "BTC"
    assert localnet.oracle.price("BTC") == 98_765_500_000
    for params in (["DOGE", "1"], ["SOL", "1.1234567"], ["SOL", 12], ["SOL", "-1"], [7, "1"]):
        error = (await rpc.call("rekt_setOraclePrice", *params))["error"]
        assert error["code"] == -32602 and error["message"].startswith("Invalid params: ")


class OracleHistory:
    """A ledger observer recording the SOL oracle's price at each slot."""

    def __init__(self) -> None:
        self.prices: dict[int, int] = {}

    def on_slot(self, slot) -> None:
        pass

    def on_transaction(self, record) -> None:
        pass

    def on_account(self, key, account, slot) -> None:
        if key == oracle_address("SOL") and account is not None:
            oracle = decode_account(account.data)
            self.prices[oracle.amm_last_update_slot] = oracle.price


async def test_driftpy_sees_the_walk_over_its_websocket_subscription(tmp_path):
    localnet = await start_localnet(tmp_path / "data", slot_ms=50, oracle_walk=True, seed=3)
    history = OracleHistory()
    localnet.ledger.add_observer(history)
    connection = AsyncClient(localnet.rpc_url)
    client = DriftClient(
        connection,
        Keypair(),
        env="devnet",
        account_subscription=AccountSubscriptionConfig("websocket"),
        market_lookup_tables=[LOCALNET_LOOKUP_TABLE],
    )
    await client.subscribe()
    try:
        seen: dict[int, int] = {}
        deadline = time.monotonic() + 5
        while len(seen) < 4:
            assert time.monotonic() < deadline, f"driftpy saw only {seen}"
            data = client.get_oracle_price_data_for_perp_market(0)
            seen[data.slot] = data.price
            await asyncio.sleep(0.03)
        # Every (slot, price) driftpy held is exactly what the feed wrote at that slot.
        updates = {slot: price for slot, price in seen.items() if slot in history.prices}
        assert len(updates) >= 3 and all(history.prices[slot] == price for slot, price in updates.items())
        assert client.get_oracle_price_data_for_spot_market(1).price in history.prices.values()
    finally:
        await client.unsubscribe()
        await connection.close()
        await localnet.stop()
