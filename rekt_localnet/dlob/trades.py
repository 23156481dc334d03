"""Fills as the DLOB server's `trades` channel reports them.

The Drift program logs each fill in its own compact record (snake_case, integers); the
DLOB server publishes fill events with camelCase fields and amounts as integer strings
in Drift precision. This is the one place that translation lives.
"""

from rekt_localnet.programs.drift.constants import BASE_PRECISION

_OPPOSITE = {"long": "short", "short": "long"}


def trade_message(fill: dict) -> dict:
    """A DLOB `trades` message for one fill recorded by the keeper's trade feed."""
    quote = fill["price"] * fill["base"] // BASE_PRECISION
    return {
        "ts": fill["ts"],
        "slot": fill["slot"],
        "marketIndex": fill["market_index"],
        "marketType": fill["market_type"],
        "action": "fill",
        "price": str(fill["price"]),
        "baseAssetAmountFilled": str(fill["base"]),
        "quoteAssetAmountFilled": str(quote),
        "taker": fill["taker"],
        "takerOrderId": fill["taker_order_id"],
        "takerOrderDirection": fill["taker_direction"],
        "maker": fill["maker"],
        "makerOrderId": fill["maker_order_id"],
        "makerOrderDirection": _OPPOSITE[fill["taker_direction"]],
        "txSig": fill.get("signature"),
    }
