"""The chain view converted into our domain values (snapshots, holdings, markets, specs)."""

from __future__ import annotations

from datetime import datetime

from rekt_tui.domain.markets import MarketSpec
from rekt_tui.domain.records import BalanceSnapshot, Direction, MarketRecord, MarketType, OrderType, PositionSnapshot
from rekt_tui.domain.trading import AccountSnapshot, ExchangeStatus, MarketState, Order, Position
from rekt_tui.domain.venue import Holdings
from rekt_tui.velocity.chain_view import ChainView
from rekt_tui.velocity.layouts import QUOTE_MARKET_INDEX, SOL_MARKET_INDEX, OrderView, PerpPositionView
from rekt_tui.velocity.margin import BASE_PRECISION, Margin

PERP_DECIMALS = 9
ORDER_TYPES = {
    "Market": OrderType.MARKET, "Limit": OrderType.LIMIT, "TriggerMarket": OrderType.TRIGGER_MARKET,
    "TriggerLimit": OrderType.TRIGGER_LIMIT, "Oracle": OrderType.ORACLE,
}  # fmt: skip
TRIGGERS = {OrderType.TRIGGER_MARKET, OrderType.TRIGGER_LIMIT}
# Bit i of the masks, as names: protocol-v2's PerpOperation / SpotOperation / ExchangeStatus,
# which the relaunch's IDL keeps as u8 masks (an assumption: the bit order is unchanged).
PERP_OPERATIONS = (
    "update_funding", "amm_fill", "fill", "settle_pnl", "settle_pnl_with_position", "liquidation", "amm_immediate_fill",
)  # fmt: skip
SPOT_OPERATIONS = ("update_cumulative_interest", "fill", "deposit", "withdraw", "liquidation")
EXCHANGE_OPERATIONS = ("deposit", "withdraw", "amm", "fill", "liquidation", "funding", "settle_pnl", "amm_immediate_fill")


def snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and at else c.lower() for at, c in enumerate(name))


def paused(mask: int, names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(name for bit, name in enumerate(names) if mask & (1 << bit))


def order(raw: OrderView) -> Order:
    kind = ORDER_TYPES[raw.order_type]
    return Order(
        order_id=raw.order_id, user_order_id=raw.user_order_id,
        market_type=MarketType.PERP if raw.market_type == "Perp" else MarketType.SPOT, market_index=raw.market_index,
        order_type=kind, direction=Direction.LONG if raw.direction == "Long" else Direction.SHORT,
        base_amount=raw.base_asset_amount, filled=raw.base_asset_amount_filled, price=raw.price,
        trigger_price=raw.trigger_price if kind in TRIGGERS else None, reduce_only=raw.reduce_only,
        post_only=raw.post_only, max_ts=raw.max_ts or None, slot=raw.slot,
    )  # fmt: skip


def _entry(quote: int, base: int) -> int:
    return abs(quote) * BASE_PRECISION // abs(base)


def position(view: ChainView, held: PerpPositionView, margin: Margin) -> Position:
    figures = next(f for f in margin.perps if f.market_index == held.market_index)
    market = view.perp(held.market_index)
    base = held.base_asset_amount
    return Position(
        market_index=held.market_index, symbol=market.symbol, base_amount=base,
        quote_entry_amount=held.quote_entry_amount, entry_price=_entry(held.quote_entry_amount, base),
        oracle_price=view.perp_price(held.market_index) or 0, unrealized_pnl=figures.unrealized_pnl,
        liquidation_price=figures.liquidation_price,
        break_even_price=_entry(held.quote_break_even_amount, base), quote_amount=held.quote_asset_amount,
        quote_break_even_amount=held.quote_break_even_amount,
    )  # fmt: skip


def open_orders(view: ChainView) -> tuple[Order, ...]:
    """Orders held in `User.orders`: the armed triggers (book orders rest on the CLOB)."""
    user = view.require_user()
    return tuple(order(o) for o in user.orders if o.status == "Open")


def token_amount(view: ChainView, market_index: int) -> int:
    user = view.require_user()
    market = view.spots.get(market_index)
    for held in user.spot_positions:
        if held.market_index == market_index and held.scaled_balance and market is not None:
            return market.token_amount(held)
    return 0


def account_snapshot(view: ChainView, received_at: datetime) -> AccountSnapshot:
    user = view.require_user()
    margin = view.margin()
    return AccountSnapshot(
        slot=view.user_slot or 0, received_at=received_at, total_collateral=margin.total_collateral,
        equity=margin.equity, unrealized_pnl=margin.unrealized_pnl, free_collateral=margin.free_collateral,
        initial_margin=margin.initial_margin, maintenance_margin=margin.maintenance_margin,
        leverage=margin.leverage, health=margin.health, usdc_amount=token_amount(view, QUOTE_MARKET_INDEX),
        sol_amount=token_amount(view, SOL_MARKET_INDEX),
        positions=tuple(position(view, p, margin) for p in user.perp_positions if p.base_asset_amount != 0),
        orders=open_orders(view), net_deposits=user.total_deposits - user.total_withdraws,
    )  # fmt: skip


def holdings(view: ChainView) -> Holdings:
    user = view.user
    if user is None:
        return Holdings(slot=0)
    margin = view.margin()
    return Holdings(
        slot=view.user_slot or 0, orders=open_orders(view),
        positions=tuple(position(view, p, margin) for p in user.perp_positions if p.base_asset_amount != 0),
        unsettled_pnl={
            p.market_index: p.quote_asset_amount
            for p in user.perp_positions if p.base_asset_amount == 0 and p.quote_asset_amount != 0
        },
        spot_balances={p.market_index: token_amount(view, p.market_index)
                       for p in user.spot_positions if p.scaled_balance},
        total_collateral=margin.total_collateral,
    )  # fmt: skip


def market_states(view: ChainView) -> list[MarketState]:
    states = [
        MarketState(MarketType.PERP, m.market_index, m.symbol, view.perp_price(m.market_index) or 0,
                    m.last_fill_price or None, snake(m.status), paused(m.paused_operations, PERP_OPERATIONS))
        for m in sorted(view.perps.values(), key=lambda m: m.market_index)
    ]  # fmt: skip
    states += [
        MarketState(MarketType.SPOT, m.market_index, m.symbol, view.spot_price(m.market_index) or 0, None,
                    snake(m.status), paused(m.paused_operations, SPOT_OPERATIONS))
        for m in sorted(view.spots.values(), key=lambda m: m.market_index)
    ]  # fmt: skip
    return states


def exchange_status(view: ChainView) -> ExchangeStatus:
    return ExchangeStatus(paused(view.state.exchange_status if view.state else 0, EXCHANGE_OPERATIONS))


def market_specs(view: ChainView) -> dict[str, MarketSpec]:
    return {
        m.symbol: MarketSpec(m.symbol, MarketType.PERP, m.market_index, m.symbol.split("-")[0], m.tick_size,
                             m.step_size, m.min_order_size)
        for m in view.perps.values()
    }  # fmt: skip


def spot_spec(view: ChainView, market_index: int) -> MarketSpec:
    m = view.spot(market_index)
    return MarketSpec(m.symbol, MarketType.SPOT, market_index, m.symbol, m.tick_size, m.step_size, m.min_order_size,
                      base_decimals=m.decimals)  # fmt: skip


def market_records(view: ChainView, cluster: str, at: datetime) -> list[MarketRecord]:
    perps = [
        MarketRecord(cluster, MarketType.PERP, m.market_index, m.symbol, str(m.oracle), snake(m.status), PERP_DECIMALS,
                     m.tick_size, m.step_size, m.min_order_size, at, m.paused_operations)
        for m in view.perps.values()
    ]  # fmt: skip
    spots = [
        MarketRecord(cluster, MarketType.SPOT, m.market_index, m.symbol, str(m.oracle), snake(m.status), m.decimals,
                     m.tick_size, m.step_size, m.min_order_size, at, m.paused_operations)
        for m in view.spots.values()
    ]  # fmt: skip
    return perps + spots


def balance_snapshot(view: ChainView, session_pubkey: str, snapshot: AccountSnapshot, lamports: int) -> BalanceSnapshot:
    user = view.require_user()
    margin = view.margin()
    pnl = {f.market_index: f for f in margin.perps}
    positions = tuple(
        PositionSnapshot(p.market_index, p.base_asset_amount, p.quote_entry_amount, p.quote_break_even_amount,
                         pnl[p.market_index].unrealized_pnl, pnl[p.market_index].liquidation_price)
        for p in user.perp_positions if p.base_asset_amount or p.quote_asset_amount
    )  # fmt: skip
    return BalanceSnapshot(
        session_pubkey=session_pubkey, taken_at=snapshot.received_at, slot=snapshot.slot, sol_lamports=lamports,
        total_collateral_quote=snapshot.total_collateral, free_collateral_quote=snapshot.free_collateral,
        unrealized_pnl_quote=snapshot.unrealized_pnl, usdc_spot_amount=snapshot.usdc_amount,
        sol_spot_amount=snapshot.sol_amount, positions=positions,
    )  # fmt: skip
