"""What a landed taker order did, from the transaction's own events rather than assumed.

`place_and_take_perp_order_v1` fills at once against the makers it names and cancels what is
left (a remainder rests only for a limit that no longer crosses): the order is gone from the
account either way, so its absence says nothing about a fill. The transaction's
`OrderActionRecord`s say: a taker `Place` for the session's User, then its `Fill`s. A market
whose order rested instead (a maker `Place` by the User) is left out: the book shows it.
"""

from __future__ import annotations

import logging
from typing import Any

from rekt_tui.domain.errors import RektError
from rekt_tui.drift.rpc import JsonRpc, RpcError
from rekt_tui.velocity.codec.binary import CodecError, Value
from rekt_tui.velocity.codec.program import VelocityProgram

log = logging.getLogger(__name__)


def _int(fields: dict[str, Value], name: str) -> int:
    value = fields.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def taker_fills(program: VelocityProgram, transaction: dict[str, Any], user: str) -> dict[int, int]:
    """Base filled per perp market by `user`'s taker orders in `transaction` (0: nothing filled)."""
    meta = transaction.get("meta") or {}
    if meta.get("err") is not None:
        return {}
    filled: dict[int, int] = {}
    rested: set[int] = set()
    for event in program.events.from_logs(meta.get("logMessages") or []):
        fields = event.fields
        if event.name != "OrderActionRecord" or fields.get("market_type") != "Perp":
            continue
        market, action = _int(fields, "market_index"), fields.get("action")
        if action == "Place" and str(fields.get("taker")) == user:
            filled.setdefault(market, 0)
        elif action == "Place" and str(fields.get("maker")) == user:
            rested.add(market)
        elif action == "Fill" and str(fields.get("taker")) == user:
            filled[market] = filled.get(market, 0) + _int(fields, "base_asset_amount_filled")
    return {market: base for market, base in filled.items() if market not in rested}


async def read_taker_fills(rpc: JsonRpc, program: VelocityProgram, signature: str, user: str) -> dict[int, int] | None:
    """`taker_fills` of a landed signature; None when its transaction cannot be read now."""
    try:
        transaction = await rpc.call(
            "getTransaction",
            [signature, {"encoding": "json", "commitment": "confirmed", "maxSupportedTransactionVersion": 0}],
        )
        return None if transaction is None else taker_fills(program, transaction, user)
    except (RektError, RpcError, CodecError) as error:
        log.warning("what %s filled could not be read: %s", signature, error)
        return None
