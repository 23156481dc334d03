"""Plain rows and JSON for the trading commands: pure functions of the domain models.

Tables show amounts as people read them; JSON keeps Drift's integers (quote and prices
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
from rekt_tui.domain.trading import AccountSnapshot, Order

NONE = "—"


def _by_index(markets: dict[str, MarketSpec]) -> dict[tuple[MarketType, int], MarketSpec]:
    return {(spec.market_type, spec.market_index): spec for spec in markets.values()}


def account_rows(snapshot: AccountSnapshot | None) -> list[list[str]]:
    if snapshot is None:
        return [["drift account", "not initialized"]]
    return [
        ["total collateral", format_usd(snapshot.total_collateral)],
        ["equity", format_usd(snapshot.equity)],
        ["unrealized pnl", format_usd(snapshot.unrealized_pnl)],
        ["free collateral", format_usd(snapshot.free_collateral)],
        ["margin usage", f"{snapshot.margin_usage * 100:.1f}%"],
        ["leverage", format_leverage(snapshot.leverage)],
        ["health", f"{snapshot.health}%"],
        ["slot", str(snapshot.slot)],
    ]


def position_rows(snapshot: AccountSnapshot, markets: dict[str, MarketSpec]) -> list[list[str]]:
    specs = _by_index(markets)
    return [
        [
            p.symbol, p.direction.value, format_base(p.size, specs[MarketType.PERP, p.market_index]),
            format_price(p.entry_price),
            format_price(p.oracle_price), format_usd(p.unrealized_pnl),
            format_price(p.liquidation_price) if p.liquidation_price else NONE,
        ]
        for p in snapshot.positions
    ]  # fmt: skip


def _flags(order: Order) -> str:
    flags = [name for name, on in (("reduce-only", order.reduce_only), ("post-only", order.post_only)) if on]
    return ",".join(flags) or NONE


def order_rows(snapshot: AccountSnapshot, markets: dict[str, MarketSpec]) -> list[list[str]]:
    specs = _by_index(markets)
    rows = []
    for o in snapshot.orders:
        spec = specs.get((o.market_type, o.market_index))
        base = (lambda amount: format_base(amount, spec)) if spec else str  # noqa: E731
        rows.append([
            str(o.order_id), str(o.user_order_id),
            spec.symbol if spec else f"{o.market_type.value} {o.market_index}",
            o.order_type.value, side_label(o.direction), base(o.base_amount), base(o.filled),
            format_price(o.price) if o.price else NONE, format_price(o.trigger_price) if o.trigger_price else NONE,
            _flags(o),
        ])  # fmt: skip
    return rows


def checklist_rows(checklist: Checklist) -> list[list[str]]:
    return [[item.label, item.state.value, item.detail] for item in checklist.items]


def preview_rows(request: OrderRequest, auction: tuple[int, int, int] | None, preview: Preview) -> list[list[str]]:
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
        ["entry price", format_price(preview.entry_price)],
        ["worst price", format_price(preview.worst_price)],
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
