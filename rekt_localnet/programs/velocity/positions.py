"""Perp positions in the relaunch's User layout, and how a fill changes them (Drift's rules).

`quote_asset_amount` carries everything the position has paid and received (fills, fees,
realised PnL) until `settle_pnl` moves it to the quote balance; `quote_entry_amount` is the
cost of what is still open, reduced pro rata when the position shrinks;
`quote_break_even_amount` is the entry plus fees paid.
"""

from typing import Any

from .errors import fail


def find_perp_position(user: dict[str, Any], market_index: int) -> dict[str, Any] | None:
    for position in user["perp_positions"]:
        if position["market_index"] == market_index and _in_use(position):
            return position
    return None


def _in_use(position: dict[str, Any]) -> bool:
    return any(position[field] for field in ("base_asset_amount", "quote_asset_amount", "open_orders",
                                              "open_bids", "open_asks"))  # fmt: skip


def perp_position_for(user: dict[str, Any], market_index: int) -> dict[str, Any]:
    existing = find_perp_position(user, market_index)
    if existing is not None:
        return existing
    for position in user["perp_positions"]:
        if not _in_use(position):
            for field in ("quote_entry_amount", "quote_break_even_amount", "settled_pnl", "last_cumulative_funding_rate"):
                position[field] = 0
            position["market_index"] = market_index
            return position
    raise fail("MaxNumberOfPositions", "every perp position slot is taken")


def _pro_rata(amount: int, part: int, whole: int) -> int:
    """amount * part / whole, rounded toward zero."""
    product = amount * part
    return product // whole if product >= 0 else -(-product // whole)


def apply_fill(position: dict[str, Any], base_delta: int, quote_delta: int, fee: int) -> tuple[int, int]:
    """Change the position by a fill of `base_delta` (signed, 1e9) for `quote_delta` (signed,
    1e6: negative when buying) and `fee` (positive paid, negative a rebate).

    Returns what the fill record states of the position it reduced (the program's
    `calculate_existing_position_fields_for_order_action`): the base it closed and the
    absolute quote entry that base carried, both 0 when it reduced nothing. A reduction
    removes the closed part's share of the entry, rounded toward zero, so the record's
    entry is exactly what left the position."""
    base = position["base_asset_amount"]
    closed = closed_entry = 0
    if base == 0 or (base > 0) == (base_delta > 0):
        position["quote_entry_amount"] += quote_delta
        position["quote_break_even_amount"] += quote_delta
    elif abs(base_delta) <= abs(base):
        closed = abs(base_delta)
        removed = _pro_rata(position["quote_entry_amount"], closed, abs(base))
        closed_entry = abs(removed)
        position["quote_entry_amount"] -= removed
        position["quote_break_even_amount"] -= _pro_rata(position["quote_break_even_amount"], closed, abs(base))
    else:
        closed, closed_entry = abs(base), abs(position["quote_entry_amount"])
        opened = abs(base_delta) - abs(base)
        position["quote_entry_amount"] = _pro_rata(quote_delta, opened, abs(base_delta))
        position["quote_break_even_amount"] = position["quote_entry_amount"]
    position["base_asset_amount"] = base + base_delta
    position["quote_asset_amount"] += quote_delta - fee
    position["quote_break_even_amount"] -= fee
    return closed, closed_entry


def market_open_interest(market: dict[str, Any], base_before: int, base_after: int) -> None:
    """Keep the market's long and short totals in step with one user's position change."""
    market["base_asset_amount_long"] += max(base_after, 0) - max(base_before, 0)
    market["base_asset_amount_short"] += min(base_after, 0) - min(base_before, 0)
