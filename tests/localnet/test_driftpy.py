"""The real, unpatched driftpy DriftClient against the localnet over HTTP and websocket."""

import asyncio
import time
from dataclasses import replace

import pytest
from driftpy.account_subscription_config import AccountSubscriptionConfig
from driftpy.accounts.bulk_account_loader import BulkAccountLoader
from driftpy.accounts.ws.account_subscriber import WebsocketAccountSubscriber
from driftpy.addresses import get_perp_market_public_key, get_user_account_public_key
from driftpy.decode.utils import decode_name
from driftpy.drift_client import DriftClient
from driftpy.math.amm import calculate_price
from driftpy.types import is_variant
from solana.rpc.async_api import AsyncClient
from solders.keypair import Keypair

from rekt_localnet import LOCALNET_LOOKUP_TABLE, LOCALNET_REFERRER
from rekt_localnet import drift_accounts
from rekt_localnet.account import Account
from rekt_localnet.encoding import decode_account, encode_account
from rekt_localnet.genesis import lookup_table_addresses, oracle_address
from rekt_localnet.keys import DRIFT_PROGRAM_ID
from rekt_localnet.markets import DEFAULT_PRICES, PERP_MARKETS, SPOT_MARKETS

# A warm DriftClient.subscribe on loopback (all markets, oracles and State).
SUBSCRIBE_BUDGET_MS = 3000


@pytest.fixture
async def connection(localnet):
    client = AsyncClient(localnet.rpc_url)
    yield client
    await client.close()


def drift_client(connection, **options) -> DriftClient:
    """A DriftClient set up as the app sets one up for the localnet."""
    return DriftClient(
        connection,
        Keypair(),
        env="devnet",
        account_subscription=AccountSubscriptionConfig("websocket"),
        market_lookup_tables=[LOCALNET_LOOKUP_TABLE],
        **options,
    )


async def subscribed_client(connection, **options) -> DriftClient:
    client = drift_client(connection, **options)
    await client.subscribe()
    return client


async def test_drift_client_subscribes_and_reads_every_market(connection):
    client = await subscribed_client(connection)
    try:
        state = client.get_state_account()
        assert state.number_of_markets == 3 and state.number_of_spot_markets == 2
        assert state.perp_fee_structure.fee_tiers[0].fee_denominator == 100_000
        for spec in PERP_MARKETS:
            market = client.get_perp_market_account(spec.market_index)
            assert decode_name(market.name) == spec.symbol
            assert is_variant(market.status, "Active")
            oracle = client.get_oracle_price_data_for_perp_market(spec.market_index)
            assert oracle is not None and oracle.price == DEFAULT_PRICES[spec.asset]
        for spec in SPOT_MARKETS:
            market = client.get_spot_market_account(spec.market_index)
            assert decode_name(market.name) == spec.symbol and market.decimals == spec.decimals
            assert market.cumulative_deposit_interest == 10**10
            oracle = client.get_oracle_price_data_for_spot_market(spec.market_index)
            assert oracle is not None and oracle.price == DEFAULT_PRICES[spec.asset]
    finally:
        await client.unsubscribe()


async def test_perp_amm_quotes_the_oracle(connection):
    client = await subscribed_client(connection)
    try:
        for spec in PERP_MARKETS:
            market = client.get_perp_market_account(spec.market_index)
            amm = market.amm
            price = DEFAULT_PRICES[spec.asset]
            assert amm.sqrt_k == amm.base_asset_reserve == amm.quote_asset_reserve > 0
            assert amm.peg_multiplier == price
            assert calculate_price(amm.base_asset_reserve, amm.quote_asset_reserve, amm.peg_multiplier) == price
            assert amm.min_base_asset_reserve < amm.base_asset_reserve < amm.max_base_asset_reserve
            assert amm.order_tick_size > 0 and amm.order_step_size > 0
            assert 0 < market.margin_ratio_maintenance < market.margin_ratio_initial
    finally:
        await client.unsubscribe()


async def test_polling_subscription_reads_through_json_batches(connection):
    """driftpy's polling subscriber fetches with getMultipleAccounts in JSON-RPC batches."""
    loader = BulkAccountLoader(connection, frequency=0.05)
    client = DriftClient(
        connection,
        Keypair(),
        env="devnet",
        account_subscription=AccountSubscriptionConfig("polling", bulk_account_loader=loader),
        market_lookup_tables=[LOCALNET_LOOKUP_TABLE],
    )
    await client.subscribe()
    try:
        for spec in PERP_MARKETS:
            assert client.get_oracle_price_data_for_perp_market(spec.market_index).price == DEFAULT_PRICES[spec.asset]
        assert client.get_spot_market_account(1).decimals == 9
    finally:
        await client.unsubscribe()


async def eventually(condition, change, timeout: float = 5.0) -> None:
    """Apply `change` until `condition` holds: driftpy's sockets connect in the background,
    so a change made before they subscribed would go unnoticed."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "driftpy never saw the change"
        change()
        await asyncio.sleep(0.05)


async def test_ledger_changes_reach_driftpy_over_websocket(localnet, connection):
    client = await subscribed_client(connection)
    ledger = localnet.ledger
    oracle_key = oracle_address("SOL")
    market_key = get_perp_market_public_key(DRIFT_PROGRAM_ID, 0)
    new_price = 151_234_567

    def move_oracle() -> None:
        data = drift_accounts.prelaunch_oracle(price=new_price, confidence=0, perp_market_index=0, slot=ledger.slot)
        ledger.put(oracle_key, Account.rent_exempt(DRIFT_PROGRAM_ID, data))

    def touch_market() -> None:
        market = decode_account(ledger.get(market_key).data)
        data = encode_account("PerpMarket", replace(market, number_of_users=7))
        ledger.put(market_key, Account.rent_exempt(DRIFT_PROGRAM_ID, data))

    try:
        await eventually(lambda: client.get_oracle_price_data_for_perp_market(0).price == new_price, move_oracle)
        assert client.get_oracle_price_data_for_spot_market(1).price == new_price
        await eventually(lambda: client.get_perp_market_account(0).number_of_users == 7, touch_market)
    finally:
        await client.unsubscribe()


async def test_lookup_table_resolves_through_driftpy(connection):
    client = DriftClient(connection, Keypair(), env="devnet", market_lookup_tables=[LOCALNET_LOOKUP_TABLE])
    (table,) = await client.fetch_market_lookup_table_accounts()
    assert table.key == LOCALNET_LOOKUP_TABLE
    assert list(table.addresses) == lookup_table_addresses()


async def test_referrer_user_reads_through_drift_user(connection):
    client = await subscribed_client(connection, authority=LOCALNET_REFERRER)
    try:
        user = client.get_user()
        account = user.get_user_account()
        assert account.authority == LOCALNET_REFERRER and decode_name(account.name) == "Main Account"
        assert client.get_user_stats().get_account().authority == LOCALNET_REFERRER
        # driftpy's margin math runs on the localnet's markets: an empty account has nothing.
        assert user.get_total_collateral() == 0 and user.get_free_collateral() == 0
        assert user.get_leverage() == 0
    finally:
        await client.unsubscribe()


async def test_drift_client_subscribe_time(connection):
    """Time a warm DriftClient.subscribe (the first one in a process also pays lazy imports)."""
    await (await subscribed_client(connection)).unsubscribe()
    client = drift_client(connection)
    started = time.perf_counter()
    await client.subscribe()
    elapsed_ms = (time.perf_counter() - started) * 1000
    print(f"\ndriftpy DriftClient.subscribe (websocket, all markets and oracles) on loopback: {elapsed_ms:.1f} ms")
    try:
        # Subscribed means every market, its oracle and State are readable at once.
        assert client.get_state_account() is not None
        perps = client.get_perp_market_accounts()
        assert sorted(m.market_index for m in perps) == sorted(m.market_index for m in PERP_MARKETS)
        assert all(client.get_oracle_price_data_for_perp_market(m.market_index).price > 0 for m in perps)
        # A warm subscribe on loopback is well under a second; far beyond that is a regression.
        assert elapsed_ms < SUBSCRIBE_BUDGET_MS, f"DriftClient.subscribe took {elapsed_ms:.0f} ms"
    finally:
        await client.unsubscribe()


async def test_single_account_websocket_subscribe_time(localnet):
    """Time one driftpy websocket subscription (docs/PERFORMANCE.md budget: 100 ms); printed only."""
    connection = AsyncClient(localnet.rpc_url)
    client = DriftClient(connection, Keypair(), env="devnet", market_lookup_tables=[LOCALNET_LOOKUP_TABLE])
    key = get_user_account_public_key(DRIFT_PROGRAM_ID, LOCALNET_REFERRER)
    subscriber = WebsocketAccountSubscriber(key, client.program)
    started = time.perf_counter()
    await subscriber.subscribe()
    elapsed = time.perf_counter() - started
    print(f"\ndriftpy WebsocketAccountSubscriber.subscribe (User) on loopback: {elapsed * 1000:.1f} ms")
    assert subscriber.data_and_slot is not None
    await subscriber.unsubscribe()
    await connection.close()
