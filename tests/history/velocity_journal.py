"""The relaunch's records as its localnet logs them, read back over real JSON-RPC: every
transaction that touched a User, decoded by `velocity.history`, and the User account's own
counters and quote balance to check them against."""

import base64
from dataclasses import replace

from rekt_localnet.programs.velocity.codec import decode, encode
from rekt_tui.domain.history import ChainRecord, Ledger
from rekt_tui.velocity import layouts
from rekt_tui.velocity.chain_view import ChainView
from rekt_tui.velocity.history import ledger_of, transaction_records
from tests.localnet.velocity_support import PROGRAM, Rpc, Trader


async def records(rpc: Rpc, trader: Trader) -> list[ChainRecord]:
    listed = await rpc.result("getSignaturesForAddress", str(trader.user), {"limit": 1000})
    found: list[ChainRecord] = []
    for entry in reversed(listed):
        options = {"encoding": "json", "maxSupportedTransactionVersion": 0}
        tx = await rpc.result("getTransaction", entry["signature"], options)
        found += transaction_records(PROGRAM, tx, entry["signature"], str(trader.user))
    return found


async def _data(rpc: Rpc, key) -> bytes:
    info = (await rpc.result("getAccountInfo", str(key), {"encoding": "base64"}))["value"]
    return base64.b64decode(info["data"][0])


async def user_and_ledger(rpc: Rpc, trader: Trader) -> tuple[dict, Ledger]:
    """The User as the program wrote it, and the ledger the product reads from it."""
    data = await _data(rpc, trader.user)
    view = ChainView(PROGRAM, trader.key, user=layouts.user(PROGRAM, data), user_slot=1)
    view.spots[0] = layouts.spot_market(PROGRAM, await _data(rpc, PROGRAM.pdas.spot_market(0)))
    ledger = ledger_of(view)
    assert ledger is not None
    return PROGRAM.accounts.decode("User", data), ledger


def make_funding_due(ledger, market_index: int, premium: int) -> None:
    """Make the perp market believe its funding period has passed (the keeper is not running)
    with its mark `premium` (1e6, signed) over the oracle, so the period's rate is not zero."""
    key = PROGRAM.pdas.perp_market(market_index)
    account = ledger.get(key)
    market = decode("PerpMarket", account.data)
    market["last_funding_rate_ts"] -= market["market_stats"]["funding_period"]
    stats = market["market_stats"]
    stats["last_mark_price_twap"] = stats["historical_oracle_data"]["last_oracle_price_twap"] + premium
    ledger.put(key, replace(account, data=encode("PerpMarket", market)))
