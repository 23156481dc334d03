"""The AMM's liquidity as book levels (`sources.vamm`), walked along its x*y=k curve.

Like the DLOB server, the first levels on each side are fixed quote amounts (top of
book), the rest split what the AMM can still take before its reserve bounds into equal
base chunks. A level's price is the average price of its chunk, widened by the AMM's
long/short spread and rounded away from the mid to the market's tick; sizes are whole
order steps. Everything is integer math on the market's reserves and peg.
"""

from rekt_localnet.dlob.levels import Level

BASE_PRECISION = 10**9  # reserves and sizes
SPREAD_PRECISION = 10**6  # amm.long_spread / short_spread
TOP_OF_BOOK_QUOTE = (500 * 10**6, 1_000 * 10**6, 2_000 * 10**6, 5_000 * 10**6)
VAMM_LEVELS = 20


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _side(amm, *, bids: bool, count: int) -> list[Level]:
    base, quote, peg = amm.base_asset_reserve, amm.quote_asset_reserve, amm.peg_multiplier
    step, tick = amm.order_step_size, amm.order_tick_size
    if base <= 0 or quote <= 0 or peg <= 0 or step <= 0 or tick <= 0:
        return []
    k = base * quote
    open_base = amm.max_base_asset_reserve - base if bids else base - amm.min_base_asset_reserve
    spread = amm.short_spread if bids else amm.long_spread
    levels: list[Level] = []
    remaining = open_base
    for number in range(count):
        if number < len(TOP_OF_BOOK_QUOTE):
            reserve_change = TOP_OF_BOOK_QUOTE[number] * BASE_PRECISION // peg
            if bids:
                chunk = _ceil_div(k, quote - reserve_change) - base if reserve_change < quote else remaining
            else:
                chunk = base - k // (quote + reserve_change)
        else:
            chunk = remaining // (count - number)
        chunk = min(chunk, remaining) // step * step
        if chunk <= 0:
            break
        if bids:
            new_base = base + chunk
            new_quote = _ceil_div(k, new_base)
            quote_amount = (quote - new_quote) * peg // BASE_PRECISION
            price = quote_amount * BASE_PRECISION // chunk * (SPREAD_PRECISION - spread) // SPREAD_PRECISION
            price = price // tick * tick
        else:
            new_base = base - chunk
            new_quote = _ceil_div(k, new_base)
            quote_amount = _ceil_div((new_quote - quote) * peg, BASE_PRECISION)
            price = _ceil_div(_ceil_div(quote_amount * BASE_PRECISION, chunk) * (SPREAD_PRECISION + spread), SPREAD_PRECISION)
            price = _ceil_div(price, tick) * tick
        if price <= 0:
            break
        levels.append(Level(price, chunk, {"vamm": chunk}))
        base, quote, remaining = new_base, new_quote, remaining - chunk
    return levels


def vamm_levels(amm, count: int = VAMM_LEVELS) -> tuple[list[Level], list[Level]]:
    """(bids, asks) the AMM quotes, best first."""
    return _side(amm, bids=True, count=count), _side(amm, bids=False, count=count)
