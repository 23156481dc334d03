"""The relaunch's withdrawal circuit breaker (DailyWithdrawLimit, 6128), switched on a localnet.

The relaunch's admin moves a spot market's guard fields with its own instructions; here the
quote market's account is rewritten over the localnet's `rekt_setAccount`, as such an update
would leave it, and the program then refuses withdrawals by its own rule (`safety.py`).
"""

import base64
import time

from rekt_tui.velocity.codec.program import VelocityProgram

PROGRAM = VelocityProgram.pinned()
QUOTE_MARKET = str(PROGRAM.pdas.spot_market(0))
# A day's deposit average far above anything held: every withdrawal would take the market
# below 75 % of it. Off, the average is zero, so no withdrawal can go below it.
TRIPPED_TWAP = 10**15


def quote_market_query() -> list:
    """`getAccountInfo` params for the quote market."""
    return [QUOTE_MARKET, {"encoding": "base64"}]


def breaker_params(account_info: dict, *, on: bool) -> list:
    """`rekt_setAccount` params for the quote market read by `getAccountInfo`, its breaker on or off."""
    value = account_info["value"]
    market = PROGRAM.accounts.decode("SpotMarket", base64.b64decode(value["data"][0]))
    market.update(
        withdraw_guard_threshold=0, deposit_token_twap=TRIPPED_TWAP if on else 0, last_twap_ts=int(time.time())
    )
    data = base64.b64encode(PROGRAM.accounts.encode("SpotMarket", market)).decode()
    return [QUOTE_MARKET, {"owner": value["owner"], "data": data, "lamports": value["lamports"]}]


async def switch_breaker(admin, *, on: bool) -> None:
    """Over an async JSON-RPC client (`JsonRpc`): the breaker on or off."""
    info = await admin.call("getAccountInfo", quote_market_query())
    await admin.call("rekt_setAccount", breaker_params(info, on=on))
