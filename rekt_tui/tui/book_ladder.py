"""The order book's ladder as text: its layout for a panel's height, each row's figures (one
number of decimals a column, so the points line up), the column widths and the lines above it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.cells import cell_len

from rekt_tui.domain.markets import PRICE_DECIMALS, format_price
from rekt_tui.domain.money import PERP_BASE_DECIMALS, to_decimal
from rekt_tui.domain.orderbook import BookLevel, OrderBook
from rekt_tui.tui.tables import PLACEHOLDER, plain_size


BOOK_COLUMNS = ("Price", "Size", "Depth")


def shown_depth(book: OrderBook, rows: int) -> int:
    """The deepest cumulative size among the `rows` levels shown per side: what depth bars scale to,
    so the shown rows span the whole bar rather than a sliver of a book that goes deeper."""
    shown = [side[: max(rows, 0)] for side in (book.bids, book.asks)]
    return max((side[-1].cumulative_size for side in shown if side), default=0)


@dataclass(frozen=True)
class BookLayout:
    """How a book panel of some height is laid out: levels per side, and whether it is compact
    (one summary line, no sources line) because the full layout would leave under `FULL_BOOK_MIN_ROWS`."""

    rows: int
    compact: bool


FULL_BOOK_MIN_ROWS = 3
DEPTH_BAR = 8  # cells of depth bar when the panel has room


def book_layout(height: int) -> BookLayout:
    """How a book panel `height` lines tall inside its border is laid out: the full layout
    spends four lines on its two summary lines, the column header and the sources line; a
    short panel keeps one summary line and the header, so both sides still show."""
    full = (height - 4) // 2
    if full >= FULL_BOOK_MIN_ROWS:
        return BookLayout(full, compact=False)
    return BookLayout(max(1, (height - 2) // 2), compact=True)


Places = tuple[int, int]  # decimal places of a ladder's prices and of its sizes
BOOK_ALIGN = ">><"  # price and size right-aligned, so their decimal points line up; the depth bar from the left


def places_of(amount: int, decimals: int) -> int:
    """Decimal places a fixed-point amount needs to be shown exactly."""
    exponent = to_decimal(amount, decimals).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def ladder_places(levels: Iterable[BookLevel], least: Places = (2, 0)) -> Places:
    """Places for a ladder's prices (at least cents) and sizes: as many as any of `levels`
    needs and never fewer than `least` (those kept so far), so every row of a column shows as
    many and they do not shrink tick to tick."""
    price, size = least
    for level in levels:
        price = max(price, places_of(level.price, PRICE_DECIMALS))
        sizes = (level.size, level.cumulative_size)
        size = max(size, *(places_of(amount, PERP_BASE_DECIMALS) for amount in sizes))
    return price, size


def book_figure_widths(
    levels: Iterable[BookLevel], least: tuple[int, int, int] = (0, 0, 0), places: Places | None = None
) -> tuple[int, int, int]:
    """Cells the widest price, size and cumulative size of `levels` need (shown to `places`),
    never fewer than `least` (the widths kept so far, so columns do not jitter tick to tick)
    nor the labels'."""
    price, size, cumulative = max(least[0], cell_len("Price")), max(least[1], cell_len("Size")), least[2]
    for level in levels:
        shown_price, shown_size, shown_cumulative = _book_figures(level, places)
        price = max(price, cell_len(shown_price))
        size = max(size, cell_len(shown_size))
        cumulative = max(cumulative, cell_len(shown_cumulative))
    return price, size, cumulative


def _book_figures(level: BookLevel, places: Places | None) -> tuple[str, str, str]:
    """A level's price, size and cumulative size: to `places`, or each as it needs."""
    if places is None:
        return format_price(level.price), plain_size(level.size), plain_size(level.cumulative_size)
    price, size = places
    return (
        f"${to_decimal(level.price, PRICE_DECIMALS):,.{price}f}",
        f"{to_decimal(level.size, PERP_BASE_DECIMALS):.{size}f}",
        f"{to_decimal(level.cumulative_size, PERP_BASE_DECIMALS):.{size}f}",
    )


def depth_bar_width(figures: tuple[int, int, int], width: int) -> int:
    """Cells of depth bar that leave room, in a book `width` cells wide, for the figures
    (`book_figure_widths`), each column padded a cell either side: at least one cell, at most
    `DEPTH_BAR`. The bar gives up cells so no figure is ever cut."""
    price, size, cumulative = figures
    return min(DEPTH_BAR, max(1, width - (price + size + 1 + cumulative + 6)))


def book_column_widths(figures: tuple[int, int, int], bar: int) -> tuple[int, int, int]:
    """The book's three column widths: price, size, and the depth bar with its figure."""
    price, size, cumulative = figures
    return price, size, max(cell_len("Depth"), bar + 1 + cumulative)


def book_cells(
    level: BookLevel | None,
    deepest: int,
    width: int = DEPTH_BAR,
    places: Places | None = None,
    cumulative_cells: int = 0,
) -> tuple[str, str, str]:
    """One book row: price, size and a cumulative-depth bar scaled to `deepest` (see
    `shown_depth`), figures to `places` (see `ladder_places`), the cumulative size right-aligned
    in `cumulative_cells`; blank when absent."""
    if level is None:
        return ("", "", "")
    bar = int(width * level.cumulative_size / deepest) if deepest else 0
    price, size, cumulative = _book_figures(level, places)
    return (price, size, f"{'█' * max(bar, 1):<{width}} {cumulative:>{cumulative_cells}}")


def table_line(cells: tuple[str, ...], widths: tuple[int, ...], align: str = "") -> str:
    """One row of a fixed-width table, a space either side of each cell: left-aligned in its
    column, or right-aligned where `align` has a `>` at the column's place."""

    def cell_in(cell: str, width: int, right: bool) -> str:
        pad = " " * (width - cell_len(cell))
        return f" {pad}{cell} " if right else f" {cell}{pad} "

    rights = [mark == ">" for mark in align.ljust(len(cells), "<")]
    return "".join(cell_in(cell, width, right) for cell, width, right in zip(cells, widths, rights, strict=True))


def book_summary(book: OrderBook, compact: bool = False) -> str:
    """The lines above the book: spread and mark, then oracle (which the HUD also shows, so a
    compact book leaves it out)."""
    mark = PLACEHOLDER if book.mark_price is None else format_price(book.mark_price)
    oracle = PLACEHOLDER if book.oracle_price is None else format_price(book.oracle_price)
    if book.spread is not None and book.spread < 0:  # the best bid above the best ask: say so
        first = f"crossed by {format_price(-book.spread)} · mark {mark}"
    else:
        spread = PLACEHOLDER if book.spread is None else format_price(book.spread)
        first = f"spread {spread} · mark {mark}"
    return first if compact else f"{first}\noracle {oracle}"


def liquidity_sources(book: OrderBook) -> str:
    """Where the shown liquidity comes from, as shares of all shown size: `dlob 70% · vamm 30%`."""
    totals: dict[str, int] = {}
    for level in (*book.bids, *book.asks):
        for name, amount in level.sources:
            totals[name] = totals.get(name, 0) + amount
    whole = sum(totals.values())
    if not whole:
        return "sources: —"
    shares = (f"{name} {100 * amount / whole:.0f}%" for name, amount in sorted(totals.items()))
    return "sources: " + " · ".join(shares)
