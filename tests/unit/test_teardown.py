from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from rekt_tui.domain.markets import MarketSpec
from rekt_tui.domain.records import Direction, MarketType, OrderType
from rekt_tui.domain.teardown import (
    Archive,
    AwaitFills,
    CancelOrders,
    CloseOrder,
    ClosePositions,
    Done,
    Park,
    PauseTrading,
    SettlePnl,
    SpotTrade,
    TeardownState,
    TeardownStep,
    Withdraw,
    next_action,
)
from rekt_tui.domain.trading import Order, Position

SOL_SPOT = MarketSpec("SOL", MarketType.SPOT, 1, "SOL", tick_size=100, step_size=10_000_000, min_order_size=10_000_000)
SOL_PRICE = 150_000_000
NOW = 1_800_000_000
SYMBOLS = {0: "SOL-PERP", 1: "BTC-PERP", 2: "ETH-PERP"}
MAX_STEPS = 12


def position(market_index, base):
    return Position(market_index, SYMBOLS[market_index], base, 0, SOL_PRICE, SOL_PRICE, 0, None)


def order(order_id, market_index=0, *, direction=Direction.LONG, order_type=OrderType.LIMIT, reduce_only=False,
          max_ts=None, market_type=MarketType.PERP):
    return Order(order_id, order_id, market_type, market_index, order_type, direction, 10**9, 0, 0, None,
                 reduce_only, False, max_ts, 1)


def state(**fields):
    base = dict(
        now=NOW, trading_paused=True, orders=(), positions=(), unsettled_pnl={}, spot_balances={},
        total_collateral=0, sol_spot=SOL_SPOT, sol_oracle_price=SOL_PRICE,
    )
    base.update(fields)
    return TeardownState(**base)


def collateral(balances, unsettled):
    return balances.get(0, 0) + balances.get(1, 0) * SOL_PRICE // 10**9 + sum(unsettled.values())


def apply(current: TeardownState, action) -> TeardownState:
    """What the chain shows after `action` succeeds (fills at the worst allowed price, 10 bps fee)."""
    balances = dict(current.spot_balances)
    unsettled = dict(current.unsettled_pnl)
    if isinstance(action, PauseTrading):
        return replace(current, trading_paused=True)
    if isinstance(action, CancelOrders):
        return replace(current, orders=tuple(o for o in current.orders if o.order_id not in action.order_ids))
    if isinstance(action, ClosePositions):
        next_id = max((o.order_id for o in current.orders), default=0) + 1
        closes = tuple(
            order(next_id + i, c.market_index, direction=c.direction, order_type=OrderType.MARKET, reduce_only=True,
                  max_ts=current.now + 60)
            for i, c in enumerate(action.closes)
        )
        return replace(current, orders=current.orders + closes)
    if isinstance(action, AwaitFills):
        filled = {o.market_index for o in current.orders if o.order_id in action.order_ids}
        for p in current.positions:
            if p.market_index in filled:
                unsettled[p.market_index] = unsettled.get(p.market_index, 0) - abs(p.base_amount) // 1000
        return replace(
            current,
            orders=tuple(o for o in current.orders if o.order_id not in action.order_ids),
            positions=tuple(p for p in current.positions if p.market_index not in filled),
            unsettled_pnl=unsettled,
        )
    if isinstance(action, SettlePnl):
        for index in action.market_indexes:
            balances[0] = balances.get(0, 0) + unsettled.pop(index)
    elif isinstance(action, SpotTrade):
        sol = balances.get(1, 0)
        traded = action.base_amount if action.direction is Direction.SHORT else min(action.base_amount, -sol)
        quote = traded * action.limit_price // 10**9
        if action.direction is Direction.SHORT:
            balances[1], balances[0] = sol - traded, balances.get(0, 0) + quote * 999 // 1000
        else:
            balances[1], balances[0] = sol + traded, balances.get(0, 0) - quote * 1001 // 1000
    elif isinstance(action, Withdraw):
        for index, _ in action.amounts:
            balances[index] = 0
    elif isinstance(action, Archive):
        return replace(current, archived=True)
    return replace(current, spot_balances=balances, unsettled_pnl=unsettled,
                   total_collateral=collateral(balances, unsettled))


def run(start: TeardownState) -> list:
    actions, current = [], start
    for _ in range(MAX_STEPS):
        action = next_action(current)
        actions.append(action)
        check_safe(current, action)
        if isinstance(action, (Done, Park)):
            return actions
        current = apply(current, action)
    raise AssertionError(f"no convergence in {MAX_STEPS} steps: {actions}")


def check_safe(current: TeardownState, action) -> None:
    if isinstance(action, Withdraw):
        assert not current.orders and not any(p.base_amount for p in current.positions)
        assert all(amount >= 0 for amount in current.spot_balances.values())
        assert action.reduce_only
        assert all(amount == current.spot_balances[index] for index, amount in action.amounts)
    if isinstance(action, ClosePositions):
        bases = {p.market_index: p.base_amount for p in current.positions}
        for close in action.closes:
            base = bases[close.market_index]
            assert close.base_amount == abs(base) and (base > 0) == (close.direction is Direction.SHORT)
    if isinstance(action, SpotTrade):
        assert action.reduce_only
        sol = current.spot_balances.get(1, 0)
        if action.direction is Direction.SHORT:
            assert current.spot_balances.get(0, 0) < 0 and 0 < action.base_amount <= sol
        else:
            assert sol < 0


bases = st.integers(-10_000, 10_000).filter(bool).map(lambda n: n * 10_000_000)
orders = st.builds(
    order, st.integers(1, 10**6), st.integers(0, 2), direction=st.sampled_from(Direction),
    order_type=st.sampled_from([OrderType.LIMIT, OrderType.MARKET, OrderType.TRIGGER_MARKET]),
    reduce_only=st.booleans(), max_ts=st.sampled_from([None, NOW - 1, NOW + 60]),
    market_type=st.sampled_from(MarketType),
)


@st.composite
def states(draw):
    positions = draw(st.dictionaries(st.integers(0, 2), bases, max_size=3))
    unsettled = draw(st.dictionaries(st.integers(0, 2), st.integers(-10**8, 10**8), max_size=3))
    balances = {0: draw(st.integers(-10**8, 10**10)), 1: draw(st.integers(-10**10, 10**11))}
    unique_orders = {o.order_id: o for o in draw(st.lists(orders, max_size=5))}
    return state(
        trading_paused=draw(st.booleans()),
        orders=tuple(unique_orders.values()),
        positions=tuple(position(index, base) for index, base in positions.items()),
        unsettled_pnl=unsettled,
        spot_balances=balances,
        total_collateral=collateral(balances, unsettled),
        withdraw_paused=draw(st.frozensets(st.integers(0, 1), max_size=1)),
        withdraw_breaker=draw(st.frozensets(st.integers(0, 1), max_size=1)),
        archived=draw(st.booleans()),
    )


@settings(max_examples=300)
@given(states())
def test_from_any_state_successful_actions_converge_safely(start):
    actions = run(start)
    last = actions[-1]
    if isinstance(last, Park):
        assert last.step in (TeardownStep.REPAY_BORROW, TeardownStep.WITHDRAW) and last.reason.endswith(".")
    elif not start.withdraw_paused and not start.withdraw_breaker:
        assert isinstance(last, Done)


@given(states())
def test_an_action_that_landed_is_never_proposed_again(current):
    """A crash after an action lands must not repeat it: the chain now shows its effect."""
    action = next_action(current)
    if not isinstance(action, (Done, Park)):
        assert next_action(apply(current, action)) != action


@given(borrow=st.integers(1, 10**10), price=st.integers(1_000_000, 10**9), slippage=st.integers(0, 500))
def test_a_borrow_sells_just_enough_sol(borrow, price, slippage):
    current = state(spot_balances={0: -borrow, 1: 10**15}, sol_oracle_price=price, slippage_bps=slippage)
    action = next_action(current)
    assert isinstance(action, SpotTrade) and action.direction is Direction.SHORT
    assert action.limit_price * 10_000 >= price * (10_000 - slippage)

    def covers(amount):  # proceeds at the worst price pay the borrow and the fee margin
        return amount * action.limit_price * 10_000 >= borrow * 10**9 * 10_050

    assert covers(action.base_amount)
    smaller = action.base_amount - SOL_SPOT.step_size
    assert smaller < SOL_SPOT.min_order_size or not covers(smaller)


def test_three_positions_and_two_orders_to_zero():
    start = state(
        trading_paused=False,
        orders=(order(1), order(2, 1, direction=Direction.SHORT)),
        positions=(position(0, 2 * 10**9), position(1, -10**8), position(2, 5 * 10**8)),
        spot_balances={0: 100_000_000, 1: 10**9},
        total_collateral=250_000_000,
    )
    actions = run(start)
    assert [type(a) for a in actions] == [
        PauseTrading, CancelOrders, ClosePositions, AwaitFills, SettlePnl, Withdraw, Archive, Done
    ]
    assert actions[1] == CancelOrders((1, 2))
    assert actions[2] == ClosePositions((
        CloseOrder(0, "SOL-PERP", Direction.SHORT, 2 * 10**9),
        CloseOrder(1, "BTC-PERP", Direction.LONG, 10**8),
        CloseOrder(2, "ETH-PERP", Direction.SHORT, 5 * 10**8),
    ))
    assert actions[4] == SettlePnl((0, 1, 2))


def test_live_closes_are_awaited_and_expired_ones_cancelled():
    close = order(9, 0, direction=Direction.SHORT, order_type=OrderType.MARKET, reduce_only=True, max_ts=NOW + 5)
    live = state(orders=(close,), positions=(position(0, 10**9),))
    assert next_action(live) == AwaitFills((9,))
    assert next_action(replace(live, now=NOW + 5)) == CancelOrders((9,))
    growing = replace(close, direction=Direction.LONG)
    assert next_action(replace(live, orders=(growing,))) == CancelOrders((9,))


def test_a_usdc_borrow_sells_just_enough_sol_rounded_up_to_the_step():
    borrowed = state(spot_balances={0: -15_000_000, 1: 10**9}, total_collateral=135_000_000)
    action = next_action(borrowed)
    # $15 at the worst price $148.50 plus a 50 bps fee margin is 0.1015 SOL; the step makes it 0.11.
    assert action == SpotTrade(1, Direction.SHORT, 110_000_000, 148_500_000)
    assert action.step is TeardownStep.REPAY_BORROW


def test_a_borrow_with_too_little_sol_parks_with_a_reason():
    action = next_action(state(spot_balances={0: -15_000_000, 1: 5_000_000}, total_collateral=-14_250_000))
    assert action == Park(
        TeardownStep.REPAY_BORROW,
        "A $15.00 USDC borrow remains and Drift holds only 0.005 SOL to sell; deposit USDC to repay it.",
    )


def test_withdraw_paused_parks_the_step_and_resumes_when_it_reopens():
    paused = state(spot_balances={0: 0, 1: 10**9}, total_collateral=150_000_000, withdraw_paused=frozenset({1}))
    action = next_action(paused)
    assert isinstance(action, Park) and action.step is TeardownStep.WITHDRAW
    assert "MarketWithdrawPaused" in action.reason
    assert next_action(replace(paused, withdraw_paused=frozenset())) == Withdraw(((1, 10**9),))


def test_the_withdraw_breaker_parks_in_one_sentence_and_resumes_when_it_lets_withdrawals_through():
    held = state(spot_balances={0: 50_000_000, 1: 10**9}, total_collateral=200_000_000)
    action = next_action(replace(held, withdraw_breaker=frozenset({0, 1})))
    assert action == Park(
        TeardownStep.WITHDRAW,
        "Withdrawals from spot market 0, 1 are held by the exchange's withdrawal circuit breaker (DailyWithdrawLimit); "
        "the funds are safe in the account and the teardown resumes when the breaker lets them through.",
    )
    both = next_action(replace(held, withdraw_paused=frozenset({1}), withdraw_breaker=frozenset({0})))
    assert isinstance(both, Park) and both.reason.count(".") == 1
    assert "spot market 1 are paused by the exchange (MarketWithdrawPaused) and" in both.reason
    assert "from spot market 0 are held by the exchange's withdrawal circuit breaker" in both.reason
    assert next_action(replace(held, withdraw_breaker=frozenset({0}))) == Withdraw(((1, 10**9),))
    assert next_action(held) == Withdraw(((0, 50_000_000), (1, 10**9)))


def test_a_venue_that_cannot_trade_spot_parks_the_repayment_on_its_sentence():
    borrowing = state(spot_balances={0: -15_000_000, 1: 10**9}, total_collateral=135_000_000)
    assert isinstance(next_action(borrowing), SpotTrade)
    refused = replace(borrowing, spot_trade_refused="This venue has no spot orders; deposit USDC to repay it.")
    assert next_action(refused) == Park(
        TeardownStep.REPAY_BORROW, "A $15.00 borrow remains: this venue has no spot orders; deposit USDC to repay it."
    )
    sol_borrow = replace(refused, spot_balances={0: 200_000_000, 1: -10**8})
    assert next_action(sol_borrow) == Park(
        TeardownStep.REPAY_BORROW, "A 0.1 SOL borrow remains: this venue has no spot orders; deposit USDC to repay it."
    )


def test_dust_below_ten_cents_is_left_and_the_session_archived():
    assert next_action(state(spot_balances={0: 99_999}, total_collateral=99_999)) == Archive()
    assert next_action(state(spot_balances={0: 100_000}, total_collateral=100_000)) == Withdraw(((0, 100_000),))
    assert next_action(state(archived=True)) == Done()


def test_profit_a_settle_could_not_move_is_withdrawn_around_then_parked_never_archived():
    """A market's PnL pool pays profit only as far as it holds: once a settle landed and moved
    nothing, the run withdraws the rest and parks saying what waits; it never archives it away."""
    stuck = state(unsettled_pnl={0: 5_300_000}, spot_balances={0: 400_000_000}, total_collateral=405_300_000,
                  perp_names={0: "SOL-PERP"})  # fmt: skip
    assert next_action(stuck) == SettlePnl((0,))
    refused = replace(stuck, settle_stuck=frozenset({0}))
    assert next_action(refused) == Withdraw(((0, 400_000_000),))
    withdrawn = replace(refused, spot_balances={}, total_collateral=5_300_000)
    parked = next_action(withdrawn)
    assert isinstance(parked, Park) and parked.step is TeardownStep.SETTLE_PNL
    assert parked.reason.startswith("$5.30 of PnL in SOL-PERP is not settled")
    assert next_action(replace(withdrawn, total_collateral=0)) == parked  # profit outside collateral: still owed
    assert next_action(replace(withdrawn, unsettled_pnl={}, total_collateral=0)) == Archive()
