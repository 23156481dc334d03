"""Admin JSON-RPC methods of the localnet (`rekt_*`): oracle prices and network faults.

They exist only on the localnet and are never refused or delayed by an injected fault,
so a test can always undo what it set.

- `rekt_setOraclePrice [market, "151.25"]`: market is a name (SOL-PERP, SOL, BTC...) or a
  perp market index; the price a decimal string, stored exactly in 1e6.
- `rekt_setFaults [{"http429": 0.3, "latencyMs": 200, "wsSilent": true, "closeWebsockets": true}]`:
  any subset; the others keep their value. `closeWebsockets` closes every open socket once.
  `pausedProgram` makes the Drift program answer every instruction with Anchor's error 101.
- `rekt_clearFaults []`, `rekt_getFaults []`: reset, or read, the faults in force.
- `rekt_setAccount [address, {"owner", "data", "lamports"}]`: write an account as it is
  given (data base64; lamports default to its rent-exempt minimum), or delete it with
  `null`, as a program upgrade or another deployment would leave it: for tests of clients
  that must notice a layout they were not built for.
"""

import base64
import binascii

from rekt_localnet.account import Account

from rekt_localnet.faults import FaultError
from rekt_localnet.node import Node
from rekt_localnet.oracle_feed import OraclePriceError, parse_price
from rekt_localnet.wire import INVALID_PARAMS, RpcError, invalid_params, param, parse_pubkey


def set_oracle_price(node: Node, params: list):
    if node.oracle is None:
        raise RpcError(INVALID_PARAMS, "this localnet runs without an oracle feed")
    market = param(params, 0, "market")
    try:
        price = parse_price(param(params, 1, "price"))
        asset = node.oracle.set_price(market, price)
    except OraclePriceError as error:
        raise invalid_params(str(error)) from None
    return {"asset": asset, "price": price, "slot": node.ledger.slot}


def set_faults(node: Node, params: list):
    changes = param(params, 0, "faults")
    if not isinstance(changes, dict):
        raise invalid_params('expected an object such as {"http429": 0.3}')
    changes = dict(changes)
    close = changes.pop("closeWebsockets", False)
    if not isinstance(close, bool):
        raise invalid_params("closeWebsockets must be true or false")
    try:
        node.faults.update(changes)
    except FaultError as error:
        raise invalid_params(str(error)) from None
    if close:
        node.faults.close_websockets_soon()
    return node.faults.state()


def clear_faults(node: Node, params: list):
    node.faults.clear()
    return node.faults.state()


def get_faults(node: Node, params: list):
    return node.faults.state()


def set_account(node: Node, params: list):
    key = parse_pubkey(param(params, 0, "address"))
    spec = params[1] if len(params) > 1 else None
    if spec is None:
        node.ledger.put(key, None)
        return {"address": str(key), "slot": node.ledger.slot}
    if not isinstance(spec, dict) or set(spec) - {"owner", "data", "lamports"}:
        raise invalid_params('expected null or an object {"owner", "data" (base64), "lamports"}')
    try:
        data = base64.b64decode(spec.get("data", ""), validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise invalid_params("data must be base64") from None
    lamports = spec.get("lamports")
    if lamports is not None and (not isinstance(lamports, int) or isinstance(lamports, bool) or not 0 < lamports < 2**64):
        raise invalid_params("lamports must be a positive integer")
    owner = parse_pubkey(param([spec.get("owner")], 0, "owner"))
    account = Account.rent_exempt(owner, data) if lamports is None else Account(lamports, owner, data)
    node.ledger.put(key, account)
    return {"address": str(key), "space": len(data), "slot": node.ledger.slot}


METHODS = {
    "rekt_setOraclePrice": set_oracle_price,
    "rekt_setFaults": set_faults,
    "rekt_clearFaults": clear_faults,
    "rekt_getFaults": get_faults,
    "rekt_setAccount": set_account,
}
