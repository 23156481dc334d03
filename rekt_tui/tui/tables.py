"""The positions and open-orders tables: one model for the cockpit's panels and the CLI's `status`.

Pure functions of the domain models, with no Textual import, so the CLI renders the very
same columns and cells as the cockpit (it adds the ids a command needs to name an order).
Amounts read as people say them; expiry is in UTC so it reads the same everywhere.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from rich.cells import cell_len

from rekt_tui.domain.markets import MarketSpec, format_price
from rekt_tui.domain.money import BASE_PRECISION, PERP_BASE_DECIMALS, format_usd, to_decimal
from rekt_tui.domain.records import Direction, MarketType, OrderType
from rekt_tui.domain.trading import Order, Position

PLACEHOLDER = "—"
POSITION_COLUMNS = (
    "Market", "Side", "Size", "Notional", "Entry", "Mark", "Oracle", "uPnL", "ROE %", "Liq.", "Break-even",
)  # fmt: skip
# What a narrow positions panel gives up first (zoom shows them all): never market, side or size.
POSITION_DROP_ORDER = ("Break-even", "Mark", "Notional", "ROE %", "Oracle", "Entry", "Liq.", "uPnL")
ORDER_COLUMNS = ("Market", "Type", "Side", "Size / filled", "Price / trigger", "Reduce", "Expires")
ORDER_DROP_ORDER = ("Expires", "Reduce", "Type")

_ORDER_TYPES = {
    OrderType.MARKET: "market",
    OrderType.LIMIT: "limit",
    OrderType.TRIGGER_MARKET: "trig mkt",
    OrderType.TRIGGER_LIMIT: "trig lmt",
    OrderType.ORACLE: "oracle",
}


def signed_usd(quote: int) -> str:
    """A gain or loss always shows its sign: `+$1.50`, `-$0.25`; under half a cent either way, `$0.00`."""
    shown = format_usd(quote)
    if shown.lstrip("-") == "$0.00":
        return "$0.00"
    return f"+{shown}" if quote > 0 else shown


def plain_size(amount: int) -> str:
    """A perp base amount (1e9) as a plain decimal."""
    return f"{to_decimal(amount, PERP_BASE_DECIMALS).normalize():f}"


def base_size(amount: int, symbol: str) -> str:
    """A perp base amount with its asset: `0.5 SOL`."""
    return f"{plain_size(amount)} {symbol.split('-')[0]}"


def notional(position: Position) -> int:
    """The position's value at the oracle, in quote (1e6): base (1e9) times price (1e6)."""
    return position.size * position.oracle_price // BASE_PRECISION


def roe_label(unrealized_pnl: int, collateral: int | None) -> str:
    """Return on equity: uPnL as a share of the account's collateral, which backs every position
    of a cross-margined account; `—` without collateral to measure against."""
    if collateral is None or collateral <= 0:
        return PLACEHOLDER
    share = (Decimal(unrealized_pnl) * 100 / Decimal(collateral)).quantize(Decimal("0.01"))
    return f"+{share}%" if share > 0 else f"{share}%"


def position_cells(position: Position, mark_price: int | None = None, collateral: int | None = None) -> tuple[str, ...]:
    """One positions row, in `POSITION_COLUMNS` order. `mark_price` is the market's mark when
    known (its book is shown), `collateral` the account's total collateral for ROE."""
    return (
        position.symbol,
        position.direction.value,
        base_size(position.size, position.symbol),
        format_usd(notional(position)),
        format_price(position.entry_price),
        _price_or_placeholder(mark_price),
        format_price(position.oracle_price),
        signed_usd(position.open_pnl),
        roe_label(position.open_pnl, collateral),
        _price_or_placeholder(position.liquidation_price),
        _price_or_placeholder(position.break_even_price),
    )


WIDE_GAP, TIGHT_GAP = 2, 1  # spaces between a table's columns


def cell_pieces(cells: tuple[str, ...], widths: tuple[int, ...], gap: int = WIDE_GAP) -> tuple[str, ...]:
    """One row of a fixed-width table, a piece per cell: a space, each cell left-aligned in its
    column `gap` spaces from the next, a space after the last."""
    padded = [cell + " " * (width - cell_len(cell)) for cell, width in zip(cells, widths, strict=True)]
    between = " " * (gap - 1)
    return tuple(f" {cell}{' ' if i == len(padded) - 1 else between}" for i, cell in enumerate(padded))


def fitting_columns(
    columns: tuple[str, ...], rows: Iterable[tuple[str, ...]], width: int, drop_order: tuple[str, ...],
    gap: int = WIDE_GAP,
) -> tuple[str, ...]:  # fmt: skip
    """The columns a table `width` cells wide can show whole (`cell_pieces`), in their order:
    while the widest cells do not fit, the next column of `drop_order` goes. Cells are never
    cut, so a column is either shown entire or not at all."""
    needed = {column: cell_len(column) for column in columns}
    for row in rows:
        for column, cell in zip(columns, row, strict=True):
            needed[column] = max(needed[column], cell_len(cell))
    shown = list(columns)
    for column in drop_order:
        if sum(needed[c] for c in shown) + gap * (len(shown) - 1) + 2 <= width:
            break
        if column in shown:
            shown.remove(column)
    return tuple(shown)


def table_layout(
    columns: tuple[str, ...], rows: list[tuple[str, ...]], width: int, drop_order: tuple[str, ...]
) -> tuple[tuple[str, ...], int]:
    """The columns to show and the gap between them: every column a narrower gap apart rather
    than one column dropped; otherwise the usual gap and what fits at it (`fitting_columns`)."""
    shown = fitting_columns(columns, rows, width, drop_order)
    if shown != columns and fitting_columns(columns, rows, width, drop_order, TIGHT_GAP) == columns:
        return columns, TIGHT_GAP
    return shown, WIDE_GAP


def _price_or_placeholder(price: int | None) -> str:
    return PLACEHOLDER if price is None else format_price(price)


def order_cells(order: Order, market_names: dict[int, str]) -> tuple[str, ...]:
    """One open-orders row, in `ORDER_COLUMNS` order; `market_names` maps perp market indexes to symbols."""
    symbol = market_names.get(order.market_index, f"PERP #{order.market_index}")
    price = format_price(order.price) if order.price else "mkt"
    trigger = "" if order.trigger_price is None else f" / {format_price(order.trigger_price)}"
    expiry = "never" if order.max_ts is None else f"{datetime.fromtimestamp(order.max_ts, UTC):%H:%M}Z"
    side = "buy" if order.direction is Direction.LONG else "sell"
    return (
        symbol,
        _ORDER_TYPES[order.order_type],
        side,
        f"{base_size(order.base_amount, symbol)} / {plain_size(order.filled)}",
        price + trigger,
        "yes" if order.reduce_only else "no",
        expiry,
    )


def perp_names(markets: Iterable[MarketSpec]) -> dict[int, str]:
    """Perp market index -> symbol, the names `order_cells` gives orders."""
    return {spec.market_index: spec.symbol for spec in markets if spec.market_type is MarketType.PERP}


def headings(columns: tuple[str, ...]) -> list[str]:
    """The CLI's table headings for the same columns."""
    return [column.upper() for column in columns]
