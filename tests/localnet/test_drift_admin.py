"""Pause and resume admin methods: what they write, and how they refuse bad input."""

from driftpy.addresses import get_perp_market_public_key, get_spot_market_public_key, get_state_public_key

from rekt_localnet.encoding import decode_account
from rekt_localnet.keys import DRIFT_PROGRAM_ID


def stored(localnet, key):
    return decode_account(localnet.ledger.get(key).data)


async def test_pause_and_resume_markets_and_the_exchange(localnet, rpc):
    answer = await rpc.result("rekt_pauseMarket", "spot", 1, ["withdraw", "deposit"])
    assert answer["pausedOperations"] == 0b1100
    assert stored(localnet, get_spot_market_public_key(DRIFT_PROGRAM_ID, 1)).paused_operations == 0b1100
    await rpc.result("rekt_pauseMarket", "perp", 2, 4)
    assert stored(localnet, get_perp_market_public_key(DRIFT_PROGRAM_ID, 2)).paused_operations == 4
    await rpc.result("rekt_resumeMarket", "perp", 2)
    assert stored(localnet, get_perp_market_public_key(DRIFT_PROGRAM_ID, 2)).paused_operations == 0
    await rpc.result("rekt_pauseExchange", ["withdrawPaused"])
    assert stored(localnet, get_state_public_key(DRIFT_PROGRAM_ID)).exchange_status == 2
    assert (await rpc.result("rekt_pauseExchange", "all"))["exchangeStatus"] == 255
    await rpc.result("rekt_resumeExchange")
    assert stored(localnet, get_state_public_key(DRIFT_PROGRAM_ID)).exchange_status == 0


async def test_bad_admin_parameters_are_invalid_params(rpc):
    for params in (["perp", 3, ["fill"]], ["futures", 0, 1], ["spot", 0, ["explode"]], ["spot", 0, 256]):
        response = await rpc.call("rekt_pauseMarket", *params)
        assert response["error"]["code"] == -32602, params
