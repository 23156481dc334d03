"""Stop-and-withdraw as a plan over chain conditions, so a crash anywhere resumes from the chain.

`next_action` looks at what the chain shows now and returns the action for the first
condition that does not hold yet: trading paused, no open orders, no positions, no
unsettled PnL, no borrow, no collateral, session archived. It keeps no memory of what
it already did: after a crash, reading the chain again yields the same plan, and a
repeated action is harmless because every trade is reduce-only and sized from the chain.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import ClassVar

from rekt_tui.domain.markets import MarketSpec, ceil_to, floor_to, format_base
from rekt_tui.domain.money import QUOTE_PRECISION, format_usd
from rekt_tui.domain.orders import auction_for
from rekt_tui.domain.records import Direction, MarketType, OrderType
from rekt_tui.domain.trading import MarketState, Order, Position
from rekt_tui.domain.venue_labels import DRIFT, VenueLabels

QUOTE_SPOT_MARKET_INDEX = 0
DUST_COLLATERAL = QUOTE_PRECISION // 10  # below $0.10 of collateral the account counts as empty
FEE_MARGIN_BPS = 50  # extra SOL sold for a borrow, so fees never leave a sliver of it behind


class TeardownStep(str, Enum):
    PAUSE_TRADING = "pause_trading"
    CANCEL_ORDERS = "cancel_orders"
    CLOSE_POSITIONS = "close_positions"
    SETTLE_PNL = "settle_pnl"
    REPAY_BORROW = "repay_borrow"
    WITHDRAW = "withdraw"
    ARCHIVE = "archive"


@dataclass(frozen=True)
class TeardownState:
    """The chain as read for the teardown (amounts in Drift's precisions)."""

    now: int  # unix seconds, to tell live close orders from expired ones
    trading_paused: bool
    orders: tuple[Order, ...]
    positions: tuple[Position, ...]
    unsettled_pnl: Mapping[int, int]  # perp market index -> quote (1e6)
    spot_balances: Mapping[int, int]  # spot market index -> token amount, negative for a borrow
    total_collateral: int  # quote (1e6)
    sol_spot: MarketSpec  # the SOL/USDC spot market a borrow is repaid on
    sol_oracle_price: int  # 1e6
    slippage_bps: int = 100
    withdraw_paused: frozenset[int] = frozenset()  # spot markets answering MarketWithdrawPaused
    withdraw_breaker: frozenset[int] = frozenset()  # spot markets answering DailyWithdrawLimit (the circuit breaker)
    spot_trade_refused: str | None = None  # the venue's sentence when it cannot trade spot to repay a borrow
    settle_stuck: frozenset[int] = frozenset()  # perp markets whose settle landed and moved nothing
    archived: bool = False
    labels: VenueLabels = DRIFT  # how a parked step names the venue and its quote
    perp_names: Mapping[int, str] = field(default_factory=dict)  # perp market index -> its symbol, for sentences


def perp_symbols(markets: Iterable[MarketState]) -> dict[int, str]:
    """Each perp market's symbol by its index."""
    return {market.market_index: market.symbol for market in markets if market.market_type is MarketType.PERP}


def perp_market_names(names: Mapping[int, str], indexes: Iterable[int]) -> str:
    """Markets by their symbols ("SOL-PERP, BTC-PERP"), by index where no symbol is known."""
    return ", ".join(names.get(index, f"perp market {index}") for index in sorted(indexes))


@dataclass(frozen=True)
class PauseTrading:
    step: ClassVar = TeardownStep.PAUSE_TRADING


@dataclass(frozen=True)
class CancelOrders:
    order_ids: tuple[int, ...]
    step: ClassVar = TeardownStep.CANCEL_ORDERS


@dataclass(frozen=True)
class CloseOrder:
    """A reduce-only market order closing one perp position at its chain size."""

    market_index: int
    symbol: str
    direction: Direction
    base_amount: int


@dataclass(frozen=True)
class ClosePositions:
    closes: tuple[CloseOrder, ...]
    step: ClassVar = TeardownStep.CLOSE_POSITIONS


@dataclass(frozen=True)
class AwaitFills:
    """Close orders are live on chain: wait for their fills rather than placing more."""

    order_ids: tuple[int, ...]
    step: ClassVar = TeardownStep.CLOSE_POSITIONS


@dataclass(frozen=True)
class SettlePnl:
    market_indexes: tuple[int, ...]
    step: ClassVar = TeardownStep.SETTLE_PNL


@dataclass(frozen=True)
class SpotTrade:
    """A reduce-only place-and-take spot order that repays a borrow."""

    market_index: int
    direction: Direction
    base_amount: int
    limit_price: int  # the worst price the slippage allows
    reduce_only: bool = field(default=True, init=False)
    step: ClassVar = TeardownStep.REPAY_BORROW


@dataclass(frozen=True)
class Withdraw:
    """Reduce-only withdrawals of every listed balance, so none can open a borrow."""

    amounts: tuple[tuple[int, int], ...]  # (spot market index, token amount)
    reduce_only: bool = field(default=True, init=False)
    step: ClassVar = TeardownStep.WITHDRAW


@dataclass(frozen=True)
class Park:
    """The exchange stands in the way; retry from the chain later."""

    step: TeardownStep
    reason: str


@dataclass(frozen=True)
class Archive:
    step: ClassVar = TeardownStep.ARCHIVE


@dataclass(frozen=True)
class Done:
    step: ClassVar = None


Action = (
    PauseTrading | CancelOrders | ClosePositions | AwaitFills | SettlePnl | SpotTrade | Withdraw | Park | Archive | Done
)


def next_action(state: TeardownState) -> Action:
    """The action for the first unmet condition, with its amounts from the chain."""
    if not state.trading_paused:
        return PauseTrading()
    closing = _live_closes(state)
    stray = tuple(order.order_id for order in state.orders if order not in closing)
    if stray:
        return CancelOrders(stray)
    open_positions = [p for p in state.positions if p.base_amount != 0]
    if open_positions:
        return _close(open_positions, closing)
    unsettled = tuple(sorted(i for i, pnl in state.unsettled_pnl.items() if pnl != 0 and i not in state.settle_stuck))
    if unsettled:
        return SettlePnl(unsettled)
    repay = _repay(state)
    if repay is not None:
        return repay
    waiting = _unsettled_profit(state)
    if state.total_collateral >= DUST_COLLATERAL:
        withdraw = _withdraw(state)
        if isinstance(withdraw, Withdraw) or waiting is None:
            return withdraw
    if waiting is not None:  # never archived while the venue still owes the session its profit
        return waiting
    return Done() if state.archived else Archive()


def _unsettled_profit(state: TeardownState) -> Park | None:
    """PnL a settle could not move (a market's PnL pool pays profit only as far as it holds):
    the rest is withdrawn, then the run parks saying what waits."""
    stuck = {i: pnl for i, pnl in state.unsettled_pnl.items() if pnl != 0 and i in state.settle_stuck}
    if not stuck:
        return None
    markets = perp_market_names(state.perp_names, stuck)
    return Park(
        TeardownStep.SETTLE_PNL,
        f"{format_usd(sum(stuck.values()))} of PnL in {markets} is not settled: a settle landed and "
        f"moved nothing, as the market's PnL pool cannot pay it yet. Everything else is withdrawn; run the stop "
        f"again later to settle and withdraw it.",
    )


def _live_closes(state: TeardownState) -> list[Order]:
    """Reduce-only perp market orders facing a position and not expired: closes in flight."""
    bases = {p.market_index: p.base_amount for p in state.positions if p.base_amount != 0}
    return [
        order for order in state.orders
        if order.reduce_only
        and order.market_type is MarketType.PERP
        and order.order_type is OrderType.MARKET
        and (order.max_ts is None or order.max_ts > state.now)
        and order.market_index in bases
        and (bases[order.market_index] > 0) == (order.direction is Direction.SHORT)
    ]


def _close(positions: list[Position], closing: list[Order]) -> ClosePositions | AwaitFills:
    covered = {order.market_index for order in closing}
    closes = tuple(
        CloseOrder(
            p.market_index, p.symbol, Direction.SHORT if p.base_amount > 0 else Direction.LONG, abs(p.base_amount)
        )
        for p in positions
        if p.market_index not in covered
    )
    if closes:
        return ClosePositions(closes)
    return AwaitFills(tuple(order.order_id for order in closing))


def _repay(state: TeardownState) -> SpotTrade | Park | None:
    """A borrow blocks withdrawing the rest: trade just enough of the other asset to repay it."""
    spot = state.sol_spot
    quote = state.spot_balances.get(QUOTE_SPOT_MARKET_INDEX, 0)
    sol = state.spot_balances.get(spot.market_index, 0)
    if quote < 0:
        worst = auction_for(Direction.SHORT, state.sol_oracle_price, state.slippage_bps, 0, tick_size=spot.tick_size)[1]
        borrow = -quote
        # SOL (base precision) whose proceeds at the worst price cover the borrow and fees.
        needed = -(-borrow * 10**spot.base_decimals * (10_000 + FEE_MARGIN_BPS) // (worst * 10_000))
        amount = min(max(ceil_to(needed, spot.step_size), spot.min_order_size), floor_to(max(sol, 0), spot.step_size))
        if amount < spot.min_order_size:
            return Park(
                TeardownStep.REPAY_BORROW,
                f"A {format_usd(-quote)} {state.labels.quote} borrow remains and {state.labels.name} holds only "
                f"{format_base(max(sol, 0), spot)} to sell; deposit {state.labels.quote} to repay it.",
            )
        sale = SpotTrade(spot.market_index, Direction.SHORT, amount, worst)
        return _trade_or_park(state, sale, format_usd(-quote))
    if sol < 0:
        if quote <= 0:
            return Park(
                TeardownStep.REPAY_BORROW,
                f"A {format_base(-sol, spot)} borrow remains and {state.labels.name} holds no {state.labels.quote} "
                "to buy it back; "
                "deposit SOL to repay it.",
            )
        worst = auction_for(Direction.LONG, state.sol_oracle_price, state.slippage_bps, 0, tick_size=spot.tick_size)[1]
        amount = max(ceil_to(-sol, spot.step_size), spot.min_order_size)
        buy_back = SpotTrade(spot.market_index, Direction.LONG, amount, worst)
        return _trade_or_park(state, buy_back, format_base(-sol, spot))
    return None


def _trade_or_park(state: TeardownState, trade: SpotTrade, owed: str) -> SpotTrade | Park:
    """The trade, unless the venue already refused to build one: then the run parks on its sentence."""
    refused = state.spot_trade_refused
    if refused is None:
        return trade
    return Park(TeardownStep.REPAY_BORROW, f"A {owed} borrow remains: {refused[:1].lower()}{refused[1:]}")


def _withdraw(state: TeardownState) -> Withdraw | Park:
    held = sorted((index, amount) for index, amount in state.spot_balances.items() if amount > 0)
    blocked = state.withdraw_paused | state.withdraw_breaker
    free = tuple((index, amount) for index, amount in held if index not in blocked)
    if free:
        return Withdraw(free)
    paused = _markets(held, state.withdraw_paused - state.withdraw_breaker)
    breaker = _markets(held, state.withdraw_breaker)
    if paused or breaker:
        why = []
        if paused:
            why.append(f"withdrawals from spot market {paused} are paused by the exchange (MarketWithdrawPaused)")
        if breaker:
            why.append(f"withdrawals from spot market {breaker} are held by the exchange's withdrawal circuit breaker "
                       "(DailyWithdrawLimit)")  # fmt: skip
        reason = " and ".join(why)
        return Park(
            TeardownStep.WITHDRAW,
            f"{reason[0].upper()}{reason[1:]}; the funds are safe in the account and the teardown resumes when "
            f"{'they reopen' if not breaker else 'the breaker lets them through'}.",
        )
    return Park(
        TeardownStep.WITHDRAW,
        f"{state.labels.name} reports {format_usd(state.total_collateral)} of collateral but no balance to withdraw; "
        "read the account again before retrying.",
    )


def _markets(held: list[tuple[int, int]], markets: frozenset[int]) -> str:
    return ", ".join(str(index) for index, _ in held if index in markets)
