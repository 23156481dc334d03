"""The real driftpy DriftClient trading on the localnet over HTTP and websocket."""

import asyncio
import time

import pytest
from driftpy.account_subscription_config import AccountSubscriptionConfig
from driftpy.addresses import (
    get_spot_market_vault_public_key,
    get_user_account_public_key,
    get_user_stats_account_public_key,
)
from driftpy.drift_client import DriftClient
from driftpy.types import MarketType, ModifyOrderParams, OrderParams, OrderType, PositionDirection, ReferrerInfo
from solana.rpc.async_api import AsyncClient
from solana.rpc.core import RPCException
from solana.rpc.types import TxOpts
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from rekt_localnet import LOCALNET_LOOKUP_TABLE, LOCALNET_REFERRER
from rekt_localnet.keys import DRIFT_PROGRAM_ID

from .helpers import wait_for_status

USDC = 10**6
SOL = 10**9
REFERRER = ReferrerInfo(
    get_user_account_public_key(DRIFT_PROGRAM_ID, LOCALNET_REFERRER, 0),
    get_user_stats_account_public_key(DRIFT_PROGRAM_ID, LOCALNET_REFERRER),
)


async def until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        await asyncio.sleep(0.02)


@pytest.fixture
async def trader(localnet, rpc):
    """A subscribed DriftClient whose wallet has SOL, $1,000 of USDC, and a Drift user."""
    connection = AsyncClient(localnet.rpc_url)
    wallet = Keypair()
    await wait_for_status(rpc, await rpc.result("requestAirdrop", str(wallet.pubkey()), 10 * SOL))
    minted = await rpc.result("rekt_mintUsdc", str(wallet.pubkey()), 1_000 * USDC)
    client = DriftClient(
        connection,
        wallet,
        env="devnet",
        account_subscription=AccountSubscriptionConfig("websocket"),
        market_lookup_tables=[LOCALNET_LOOKUP_TABLE],
    )
    await client.initialize_user(referrer_info=REFERRER)
    await client.subscribe()
    client.usdc_account = Pubkey.from_string(minted["tokenAccount"])
    vault_before = await vault_amount(rpc, 0)
    yield client
    # The USDC vault moved exactly what left or reached the wallet: deposits net of withdrawals.
    wallet_usdc = int((await rpc.result("getTokenAccountBalance", str(client.usdc_account)))["value"]["amount"])
    assert await vault_amount(rpc, 0) - vault_before == 1_000 * USDC - wallet_usdc
    await client.unsubscribe()
    await connection.close()


async def test_initialize_with_referrer_and_deposit_usdc(trader):
    stats = trader.get_user_stats().get_account()
    assert stats.referrer == LOCALNET_REFERRER
    await trader.deposit(500 * USDC, 0, trader.usdc_account)
    user = trader.get_user()
    await until(lambda: user.get_total_collateral() == 500 * USDC)
    assert user.get_free_collateral() == 500 * USDC


def perp_base(user, market_index: int = 0) -> int:
    position = user.get_perp_position(market_index)
    return position.base_asset_amount if position else 0


def market_order(direction, size: int) -> OrderParams:
    return OrderParams(
        order_type=OrderType.Market(), market_type=MarketType.Perp(), direction=direction,
        base_asset_amount=size, market_index=0,
    )


def custom_code(failure: RPCException) -> int:
    """The Custom code of a preflight failure, as driftpy's RPCException carries it."""
    data = failure.args[0].data
    return data.err.err.code


async def preflight_code(action) -> int:
    with pytest.raises(RPCException) as failure:
        await action
    return custom_code(failure.value)


async def test_insufficient_collateral_is_a_preflight_6003(trader):
    await trader.deposit(100 * USDC, 0, trader.usdc_account)
    assert await preflight_code(trader.place_perp_order(market_order(PositionDirection.Long(), 100 * SOL))) == 6003


async def test_reduce_only_order_without_position_is_6064(trader):
    await trader.deposit(100 * USDC, 0, trader.usdc_account)
    order = market_order(PositionDirection.Short(), SOL)
    order.reduce_only = True
    assert await preflight_code(trader.place_perp_order(order)) == 6064


async def test_paused_withdrawals_are_6149_until_resumed(trader, rpc):
    await trader.deposit(100 * USDC, 0, trader.usdc_account)
    await rpc.result("rekt_pauseMarket", "spot", 0, ["withdraw"])
    assert await preflight_code(trader.withdraw(10 * USDC, 0, trader.usdc_account)) == 6149
    await rpc.result("rekt_resumeMarket", "spot", 0)
    await trader.withdraw(10 * USDC, 0, trader.usdc_account)


async def test_reduce_only_withdraw_that_would_borrow_is_6153(trader):
    await trader.deposit(100 * USDC, 0, trader.usdc_account)
    action = trader.withdraw(SOL, 1, trader.wallet.public_key, reduce_only=True)
    assert await preflight_code(action) == 6153


async def test_landed_failure_carries_the_drift_code(localnet, rpc, trader):
    await trader.deposit(100 * USDC, 0, trader.usdc_account)
    trader.tx_sender.opts = TxOpts(skip_preflight=True)
    instruction = trader.get_place_perp_order_ix(market_order(PositionDirection.Long(), 100 * SOL))
    signature = str((await trader.send_ixs([instruction])).tx_sig)
    status = await wait_for_status(rpc, signature)
    (_, detail) = status["err"]["InstructionError"]
    assert detail == {"Custom": 6003}


async def vault_amount(rpc, index: int) -> int:
    vault = get_spot_market_vault_public_key(DRIFT_PROGRAM_ID, index)
    return int((await rpc.result("getTokenAccountBalance", str(vault)))["value"]["amount"])


async def test_sol_deposit_through_wrapped_sol_and_withdraw_to_zero(trader, rpc):
    before = await vault_amount(rpc, 1)
    await trader.deposit(2 * SOL, 1, trader.wallet.public_key)
    assert await vault_amount(rpc, 1) == before + 2 * SOL
    user = trader.get_user()
    await until(lambda: user.get_total_collateral() == 2 * 150 * USDC * 8 // 10)
    await trader.withdraw(2 * SOL, 1, trader.wallet.public_key, reduce_only=True)
    assert await vault_amount(rpc, 1) == before
    await until(lambda: user.get_total_collateral() == 0)


async def test_drift_user_figures_match_hand_computed_values(trader, rpc):
    """$1,000 of USDC, long 10 SOL bought from the AMM at 150.0075 with a 10 bps fee."""
    await trader.deposit(1_000 * USDC, 0, trader.usdc_account)
    await trader.place_and_take_perp_order(market_order(PositionDirection.Long(), 10 * SOL))
    user = trader.get_user()
    await until(lambda: perp_base(user) == 10 * SOL)
    entry = 1_500_075_000
    fee = -(-entry // 1_000)
    pnl = 1_500 * USDC - entry - fee  # marked at the 150 oracle
    assert user.get_unrealized_pnl(True) == pnl == -1_575_075
    assert user.get_total_collateral() == 1_000 * USDC + pnl
    assert user.get_margin_requirement() == 75 * USDC  # 5 % of $1,500
    assert user.get_free_collateral() == 1_000 * USDC + pnl - 75 * USDC
    assert user.get_leverage() == 1_500 * USDC * 10_000 // (1_000 * USDC + pnl)
    # Liquidation when 1000 + 10 p - 1500.075 - 1.500075 = 10 p * 2.5 %: p = 51.4436.
    liquidation = user.get_perp_liq_price(0)
    assert abs(liquidation - (entry + fee - 1_000 * USDC) * 1_000 // 9_750) <= 1
    await rpc.result("rekt_setOraclePrice", "SOL-PERP", "160")
    await until(lambda: user.get_unrealized_pnl(True) == 1_600 * USDC - entry - fee)
    await trader.settle_pnl(trader.get_user_account_public_key(), user.get_user_account(), 0)
    await until(lambda: user.get_unrealized_pnl(True) == 0)
    assert user.get_spot_market_asset_value(0) == 1_000 * USDC + 1_600 * USDC - entry - fee


async def test_place_modify_and_cancel_orders(trader):
    await trader.deposit(500 * USDC, 0, trader.usdc_account)
    limit = OrderParams(
        order_type=OrderType.Limit(), market_type=MarketType.Perp(), direction=PositionDirection.Long(),
        base_asset_amount=SOL, price=140 * USDC, market_index=0, user_order_id=3,
    )
    await trader.place_perp_order(limit)
    user = trader.get_user()
    await until(lambda: len(user.get_open_orders()) == 1)
    (order,) = user.get_open_orders()
    await trader.modify_order(order.order_id, ModifyOrderParams(price=141 * USDC))
    await until(lambda: [o.price for o in user.get_open_orders()] == [141 * USDC])
    await trader.cancel_order_by_user_id(3)
    await until(lambda: user.get_open_orders() == [])
    await trader.place_perp_order(limit)
    await until(lambda: len(user.get_open_orders()) == 1)
    await trader.cancel_orders()
    await until(lambda: user.get_open_orders() == [])
    assert user.get_margin_requirement() == 0


async def test_the_paused_program_answers_anchor_101_to_everything_and_stays_readable(trader, rpc):
    await trader.deposit(100 * USDC, 0, trader.usdc_account)
    faults = await rpc.result("rekt_setFaults", {"pausedProgram": True})
    assert faults["pausedProgram"] is True
    order = market_order(PositionDirection.Long(), SOL)
    assert await preflight_code(trader.place_perp_order(order)) == 101  # InstructionFallbackNotFound
    assert await preflight_code(trader.deposit(10 * USDC, 0, trader.usdc_account)) == 101
    await trader.account_subscriber.fetch()
    assert trader.get_state_account().number_of_markets == 3  # accounts still read
    await rpc.result("rekt_clearFaults")
    await trader.place_perp_order(order)


async def test_paused_exchange_and_fills_answer_6024_and_6148(trader, rpc):
    await trader.deposit(500 * USDC, 0, trader.usdc_account)
    order = market_order(PositionDirection.Long(), SOL)
    await rpc.result("rekt_pauseExchange", "all")
    assert await preflight_code(trader.place_perp_order(order)) == 6024
    await rpc.result("rekt_resumeExchange")
    await rpc.result("rekt_pauseMarket", "perp", 0, ["fill"])
    assert await preflight_code(trader.place_and_take_perp_order(order)) == 6148
    await rpc.result("rekt_resumeMarket", "perp", 0)
    await trader.place_and_take_perp_order(order)
    await until(lambda: perp_base(trader.get_user()) == SOL)
