"""Admin JSON-RPC methods that pause and resume Drift on the localnet (`rekt_*`).

On mainnet the Drift admin pauses with its own instructions; here the methods write
the same fields directly (State `exchange_status`, a market's `paused_operations`), as
an admin transaction would leave them, so the program then refuses what is paused with
Drift's own errors (ExchangePaused, MarketWithdrawPaused, MarketFillOrderPaused, ...).

- `rekt_pauseMarket [market_type, index, operations]`: market_type "perp" or "spot";
  operations a bit mask or a list of names — perp: updateFunding, ammFill, fill,
  settlePnl, settlePnlWithPosition, liquidation, ammImmediateFill; spot:
  updateCumulativeInterest, fill, deposit, withdraw, liquidation. Answers the mask set.
- `rekt_resumeMarket [market_type, index]`: clears every paused operation.
- `rekt_pauseExchange [status]`: a bit mask, a list of names (depositPaused,
  withdrawPaused, ammPaused, fillPaused, liqPaused, fundingPaused, settlePnlPaused,
  ammImmediateFillPaused) or "all" (255: everything, orders included).
- `rekt_resumeExchange []`: status back to active (0).
"""

from dataclasses import replace

from driftpy.addresses import get_perp_market_public_key, get_spot_market_public_key, get_state_public_key

from rekt_localnet.encoding import decode_account, encode_account
from rekt_localnet.keys import DRIFT_PROGRAM_ID
from rekt_localnet.markets import PERP_MARKETS, SPOT_MARKETS
from rekt_localnet.node import Node
from rekt_localnet.wire import invalid_params, param

PERP_OPERATIONS = (
    "updateFunding", "ammFill", "fill", "settlePnl", "settlePnlWithPosition", "liquidation", "ammImmediateFill",
)
SPOT_OPERATIONS = ("updateCumulativeInterest", "fill", "deposit", "withdraw", "liquidation")
EXCHANGE_FLAGS = (
    "depositPaused", "withdrawPaused", "ammPaused", "fillPaused", "liqPaused", "fundingPaused",
    "settlePnlPaused", "ammImmediateFillPaused",
)
ALL_PAUSED = 0xFF


def _mask(value: object, names: tuple[str, ...], what: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 0xFF:
        return value
    if isinstance(value, list) and all(item in names for item in value):
        return sum(1 << names.index(item) for item in set(value))
    raise invalid_params(f"{what} must be a bit mask (0-255) or a list of: {', '.join(names)}")


def _market(params: list) -> tuple[str, int]:
    market_type = param(params, 0, "market_type")
    index = param(params, 1, "index")
    count = {"perp": len(PERP_MARKETS), "spot": len(SPOT_MARKETS)}.get(market_type)
    if count is None:
        raise invalid_params('market_type must be "perp" or "spot"')
    if not isinstance(index, int) or not 0 <= index < count:
        raise invalid_params(f"there is no {market_type} market {index!r}")
    return market_type, index


def _update(node: Node, key, kind: str, **fields) -> None:
    account = node.ledger.get(key)
    value = replace(decode_account(account.data), **fields)
    node.ledger.put(key, replace(account, data=encode_account(kind, value)))


def _set_market(node: Node, market_type: str, index: int, operations: int) -> dict:
    if market_type == "perp":
        _update(node, get_perp_market_public_key(DRIFT_PROGRAM_ID, index), "PerpMarket", paused_operations=operations)
    else:
        _update(node, get_spot_market_public_key(DRIFT_PROGRAM_ID, index), "SpotMarket", paused_operations=operations)
    return {"marketType": market_type, "marketIndex": index, "pausedOperations": operations, "slot": node.ledger.slot}


def pause_market(node: Node, params: list):
    market_type, index = _market(params)
    names = PERP_OPERATIONS if market_type == "perp" else SPOT_OPERATIONS
    return _set_market(node, market_type, index, _mask(param(params, 2, "operations"), names, "operations"))


def resume_market(node: Node, params: list):
    market_type, index = _market(params)
    return _set_market(node, market_type, index, 0)


def _set_exchange(node: Node, status: int) -> dict:
    _update(node, get_state_public_key(DRIFT_PROGRAM_ID), "State", exchange_status=status)
    return {"exchangeStatus": status, "slot": node.ledger.slot}


def pause_exchange(node: Node, params: list):
    status = param(params, 0, "status")
    return _set_exchange(node, ALL_PAUSED if status == "all" else _mask(status, EXCHANGE_FLAGS, "status"))


def resume_exchange(node: Node, params: list):
    return _set_exchange(node, 0)


METHODS = {
    "rekt_pauseMarket": pause_market,
    "rekt_resumeMarket": resume_market,
    "rekt_pauseExchange": pause_exchange,
    "rekt_resumeExchange": resume_exchange,
}
