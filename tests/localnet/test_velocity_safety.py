"""The relaunch's account-safety refusals on the localnet, over real HTTP: the equity floor
(6358), the withdraw circuit breaker (6128) and the daily deposit limit (6364)."""

import time
from dataclasses import replace

from rekt_localnet.keys import ADMIN_KEYPAIR

from .helpers import wait_for_status
from .velocity_support import (
    PROGRAM, USDT, account, deposit_quote, funded_trader, new_trader, send, token_balance, velocity, vrpc,
    withdraw_quote,
)  # fmt: skip

__all__ = ["velocity", "vrpc"]  # fixtures


def equity_floor(admin, user, floor: int, buffer: int):
    accounts = {"admin": admin.pubkey(), "state": PROGRAM.pdas.state(), "user": user}
    return PROGRAM.instructions.build("update_user_equity_floor", {"equity_floor": floor, "equity_floor_buffer": buffer}, accounts)


def patch_quote_market(handle, **fields) -> None:
    """Set the quote market's guard fields as an admin instruction would."""
    key = PROGRAM.pdas.spot_market(0)
    stored = handle.ledger.get(key)
    market = PROGRAM.accounts.decode("SpotMarket", stored.data)
    market.update(fields)
    handle.ledger.put(key, replace(stored, data=PROGRAM.accounts.encode("SpotMarket", market)))


async def test_withdrawals_keep_equity_above_the_floor_an_admin_set(velocity, vrpc):
    trader = await funded_trader(vrpc, 1_000 * USDT)
    not_admin = await send(vrpc, [equity_floor(trader.keypair, trader.user, 800 * USDT, 50 * USDT)], [trader.keypair])
    assert not_admin.code == 2001
    await wait_for_status(vrpc, await vrpc.result("requestAirdrop", str(ADMIN_KEYPAIR.pubkey()), 10**9))
    set_floor = await send(vrpc, [equity_floor(ADMIN_KEYPAIR, trader.user, 800 * USDT, 50 * USDT)], [ADMIN_KEYPAIR])
    assert set_floor.err is None, set_floor.logs
    user = await account(vrpc, trader.user, "User")
    assert (user["equity_floor"], user["equity_floor_buffer"]) == (800 * USDT, 50 * USDT)
    assert (await send(vrpc, [withdraw_quote(trader, 150 * USDT)], [trader.keypair])).err is None
    below = await send(vrpc, [withdraw_quote(trader, USDT)], [trader.keypair])
    assert below.code == 6358 and await token_balance(vrpc, trader.quote_account) == 150 * USDT


async def test_the_withdraw_circuit_breaker_caps_a_days_withdrawals(velocity, vrpc):
    trader = await funded_trader(vrpc, 1_000 * USDT)
    patch_quote_market(velocity, withdraw_guard_threshold=100 * USDT, deposit_token_twap=1_000 * USDT,
                       last_twap_ts=int(time.time()))  # fmt: skip
    refused = await send(vrpc, [withdraw_quote(trader, 300 * USDT)], [trader.keypair])
    assert refused.code == 6128  # 700 left is under 75 % of the day's average of 1,000
    assert (await send(vrpc, [withdraw_quote(trader, 200 * USDT)], [trader.keypair])).err is None


async def test_the_daily_deposit_limit_caps_deposits_above_the_days_average(velocity, vrpc):
    await funded_trader(vrpc, 1_000 * USDT)
    more = await new_trader(vrpc, quote=500 * USDT)
    patch_quote_market(velocity, max_deposit_bps_per_day=1_000, deposit_token_twap=1_000 * USDT,
                       last_twap_ts=int(time.time()))  # fmt: skip
    refused = await send(vrpc, [deposit_quote(more, 150 * USDT)], [more.keypair])
    assert refused.code == 6364  # 1,150 is over the average plus 10 %
    assert (await send(vrpc, [deposit_quote(more, 50 * USDT)], [more.keypair])).err is None
    assert (await account(vrpc, PROGRAM.pdas.spot_market(0), "SpotMarket"))["deposit_token_twap"] >= 1_000 * USDT
