"""Plain rows and JSON for the trading commands: pure functions of the domain models.

Tables show amounts as people read them (positions and orders through the cockpit's own
table model, `tui.tables`, so both say the same); JSON keeps Drift's integers (quote and prices
1e6, base 1e9, leverage 1e4) so scripts never parse a formatted figure.
"""

from dataclasses import asdict
from typing import Any

from rekt_tui.domain.checklist import Checklist
from rekt_tui.domain.guards import Preview, format_leverage
from rekt_tui.domain.markets import MarketSpec, format_base, format_price
from rekt_tui.domain.money import format_usd
from rekt_tui.domain.orders import OrderRequest, side_label
from rekt_tui.domain.records import MarketType
from rekt_tui.domain.trading import AccountSnapshot
from rekt_tui.domain.venue_labels import VenueLabels
from rekt_tui.tui.tables import ORDER_COLUMNS, POSITION_COLUMNS, headings, order_cells, perp_names, position_cells

NONE = "—"
POSITION_HEADINGS = headings(POSITION_COLUMNS)
ORDER_HEADINGS = ["ID", "UID", *headings(ORDER_COLUMNS), "POST"]


def _by_index(markets: dict[str, MarketSpec]) -> dict[tuple[MarketType, int], MarketSpec]:
    return {(spec.market_type, spec.market_index): spec for spec in markets.values()}


def account_rows(snapshot: AccountSnapshot | None, labels: VenueLabels) -> list[list[str]]:
    if snapshot is None:
        return [[labels.account.lower(), "not initialized"]]
    return [
        ["total collateral", format_usd(snapshot.total_collateral)],
        ["equity", format_usd(snapshot.equity)],
        ["unsettled pnl" if snapshot.pnl_unsettled else "unrealized pnl", format_usd(snapshot.open_pnl)],
        *([["realized, not settled", format_usd(realized)]]
          if snapshot.positions and (realized := snapshot.unrealized_pnl - snapshot.open_pnl) else []),
        ["free collateral", format_usd(snapshot.free_collateral)],
        ["margin usage", f"{snapshot.margin_usage * 100:.1f}%"],
        ["leverage", format_leverage(snapshot.leverage)],
        ["health", f"{snapshot.health}%"],
        ["slot", str(snapshot.slot)],
    ]


def position_rows(snapshot: AccountSnapshot) -> list[list[str]]:
    """The cockpit's positions table (`tui.tables`), under `POSITION_HEADINGS`."""
    return [list(position_cells(p, collateral=snapshot.total_collateral)) for p in snapshot.positions]


def order_rows(snapshot: AccountSnapshot, markets: dict[str, MarketSpec]) -> list[list[str]]:
    """The cockpit's open-orders table, with the ids a command names an order by, under `ORDER_HEADINGS`."""
    names = perp_names(markets.values())
    return [
        [str(o.order_id), str(o.user_order_id), *order_cells(o, names), "yes" if o.post_only else "no"]
        for o in snapshot.orders
    ]


def checklist_rows(checklist: Checklist) -> list[list[str]]:
    return [[item.label, item.state.value, item.detail] for item in checklist.items]


def preview_rows(
    request: OrderRequest, auction: tuple[int, int, int] | None, preview: Preview, *, book_unread: bool = False
) -> list[list[str]]:
    size = format_base(request.base_amount, request.market)
    order = f"{side_label(request.direction)} {size} {request.market.symbol}"
    rows = [["order", f"{order} {request.kind.label}" + (" reduce-only" if request.reduce_only else "")]]
    if request.price is not None:
        rows.append(["limit price", format_price(request.price)])
    if request.trigger_price is not None:
        rows.append(["trigger", f"{request.trigger_condition.value} {format_price(request.trigger_price)}"])
    if auction is not None:
        start, end, slots = auction
        rows.append(["auction", f"{format_price(start)} to {format_price(end)} over {slots} slots"])
    fee = format_usd(preview.fee, 4) if preview.fee >= 0 else f"{format_usd(-preview.fee, 4)} rebate"
    liquidation = preview.liquidation_price_after
    return rows + [
        ["entry price", "not known: no order book (figures at the worst price)" if book_unread
         else format_price(preview.entry_price)],  # fmt: skip
        ["worst price", "none: at market once triggered" if request.at_market_once_triggered
         else format_price(preview.worst_price)],  # fmt: skip
        ["fee", fee],
        ["leverage after", format_leverage(preview.leverage_after)],
        ["free collateral after", format_usd(preview.free_collateral_after)],
        ["liquidation price after", format_price(liquidation) if liquidation else NONE],
        ["expires", f"unix {request.max_ts}"],
    ]


def status_dict(
    session: dict[str, Any], wallet_lamports: int, snapshot: AccountSnapshot | None, checklist: Checklist,
    markets: dict[str, MarketSpec],
) -> dict[str, Any]:  # fmt: skip
    account = None
    if snapshot is not None:
        account = asdict(snapshot)
        account.pop("positions")
        account.pop("orders")
    specs = _by_index(markets)
    return {
        "session": session,
        "wallet_lamports": wallet_lamports,
        "account": account,
        "positions": [] if snapshot is None else [asdict(p) for p in snapshot.positions],
        "orders": [] if snapshot is None else [
            {**asdict(o), "market": getattr(specs.get((o.market_type, o.market_index)), "symbol", None)}
            for o in snapshot.orders
        ],
        "checklist": [asdict(item) for item in checklist.items],
        "ready_to_trade": checklist.ready_to_trade,
    }  # fmt: skip
