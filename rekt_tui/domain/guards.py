"""Risk guards run before an order is signed: refusals carry the numbers behind them.

The guards judge a checked `OrderRequest` against the account as last read and a
`Preview` of the trade (computed elsewhere from driftpy's margin math). They return every
refusal that applies, not just the first, so a user fixes everything in one go; an empty
list means the order may be signed.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from enum import Enum

from rekt_tui.domain.brackets import resting_protection
from rekt_tui.domain.errors import RektError
from rekt_tui.domain.markets import floor_to, format_base, format_price
from rekt_tui.domain.money import format_usd
from rekt_tui.domain.orders import OrderRequest, side_label
from rekt_tui.domain.records import Direction, MarketType
from rekt_tui.domain.strategy import StrategyPreset
from rekt_tui.domain.trading import LEVERAGE_PRECISION, AccountSnapshot, Order


@dataclass(frozen=True)
class Preview:
    """What the trade would do, in Drift's precisions (quote and prices 1e6, leverage 1e4)."""

    entry_price: int
    worst_price: int
    fee: int  # positive: paid; negative: a maker rebate
    margin_required: int  # the account's initial margin requirement after the fill
    free_collateral_after: int  # after the fill and its fee
    leverage_after: int
    liquidation_price_after: int | None  # None: nothing liquidates the account


class RefusalCode(str, Enum):
    STALE_ACCOUNT = "stale_account"
    STALE_ORACLE = "stale_oracle"
    REDUCE_ONLY_INCREASES = "reduce_only_increases"
    REDUCE_ONLY_EXCEEDS = "reduce_only_exceeds"
    INSUFFICIENT_COLLATERAL = "insufficient_collateral"
    LEVERAGE = "leverage"
    STACKING = "stacking"
    FAR_PRICE = "far_price"
    POST_ONLY_CROSSES = "post_only_crosses"
    LOSS_LIMIT = "loss_limit"  # the session is exit-only (domain/loss_limit.py)
    PROGRAM = "program"  # the cluster's program will not be signed for (paused, or another layout)


@dataclass(frozen=True)
class Refusal:
    code: RefusalCode
    sentence: str


class OrderRefused(RektError):
    """Raised by whoever signs when the guards refused; the message holds every sentence."""

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        super().__init__(" ".join(refusal.sentence for refusal in refusals))
        self.refusals = tuple(refusals)


def check_order(
    request: OrderRequest,
    account: AccountSnapshot,
    preview: Preview,
    strategy: StrategyPreset,
    *,
    open_orders: Sequence[Order],
    account_age_s: Decimal | int,
    oracle_age_s: Decimal | int,
    stale_after_s: int,
    allow_stacking: bool = False,
    oracle_price: int | None = None,
    price_band_pct: Decimal | None = None,
    allow_far_price: bool = False,
    largest_base: int | None = None,
    best_opposite: int | None = None,
    venue: str = "Drift",
) -> list[Refusal]:
    """Every guard from the product's risk rules; empty means go.

    With `oracle_price` and `price_band_pct`, a limit price further through the market
    than the band is refused unless `allow_far_price` (see `price_band`).

    A reduce-only order that shrinks a position cannot add risk, so it skips the margin
    and leverage guards; one that would open or grow a position is refused, since Drift
    would reject it anyway (6064) and the user meant something else. An order that can
    only shrink or close the position is never refused for stacking. `largest_base` is
    the largest size that passes both margin and leverage (found by the caller over the
    same preview), so the size a refusal suggests is never itself refused. `best_opposite`
    is the best price on the side a post-only order must not cross; `venue` names who refuses it.
    """
    refusals = _freshness(account_age_s, oracle_age_s, stale_after_s)
    if request.reduce_only:
        refusals += reduce_only_refusals(request, account) + _reduce_only_size(request, account)
    else:
        refusals += _margin(request, account, preview, largest_base) + _leverage(
            request, preview, strategy, largest_base
        )
    refusals += post_only_refusals(request, best_opposite, venue)
    if not allow_stacking and not only_reduces(request, account):
        refusals += _stacking(request, open_orders)
    if oracle_price is not None and price_band_pct is not None and not allow_far_price:
        refusals += price_band(request, oracle_price, price_band_pct)
    return refusals


def only_reduces(request: OrderRequest, account: AccountSnapshot) -> bool:
    """Whether the order can only shrink or close the position, never open, grow or flip it.

    Stacking guards against doubling exposure by accident; an exit is never that. A
    reduce-only order qualifies (one that would grow is refused on its own), and so does
    one against the position no larger than it. One larger than the position flips it.
    """
    if request.reduce_only:
        return True
    base = position_base(account, request)
    return _against(base, request) and request.base_amount <= abs(base)


def crosses(request: OrderRequest, best_opposite: int | None) -> bool:
    """Whether a limit price would trade at once against the best opposite price."""
    if request.price is None or best_opposite is None:
        return False
    return request.price >= best_opposite if request.direction is Direction.LONG else request.price <= best_opposite


def post_only_refusals(request: OrderRequest, best_opposite: int | None, venue: str = "Drift") -> list[Refusal]:
    """The venue refuses a post-only order that would take liquidity (Drift: 6057): refuse it first."""
    if not request.post_only or not crosses(request, best_opposite):
        return []
    assert request.price is not None and best_opposite is not None
    book_side = "ask" if request.direction is Direction.LONG else "bid"
    return [Refusal(
        RefusalCode.POST_ONLY_CROSSES,
        f"A post-only {side_label(request.direction)} at {format_price(request.price)} would cross the best "
        f"{book_side} {format_price(best_opposite)} and be refused by {venue}; move the price behind it or drop "
        "post-only.",
    )]


def _fix_size(request: OrderRequest, largest_base: int | None, fallback: str) -> str:
    market = request.market
    if largest_base is not None and largest_base >= market.min_order_size:
        return f"reduce the size to at most {format_base(largest_base, market)}"
    return fallback


def _seconds(age: Decimal | int) -> str:
    return f"{Decimal(age).quantize(Decimal(1), rounding=ROUND_UP)}"


def _freshness(account_age_s: Decimal | int, oracle_age_s: Decimal | int, limit: int) -> list[Refusal]:
    refusals = []
    for code, what, age in (
        (RefusalCode.STALE_ACCOUNT, "Account data", account_age_s),
        (RefusalCode.STALE_ORACLE, "Oracle price", oracle_age_s),
    ):
        if age > limit:
            refusals.append(Refusal(code, f"{what} is {_seconds(age)} s old (limit {limit} s); wait for fresh data."))
    return refusals


def position_base(account: AccountSnapshot, request: OrderRequest) -> int:
    """The signed perp position the order would trade against (0 when flat or not a perp)."""
    if request.market.market_type is not MarketType.PERP:
        return 0
    return sum(p.base_amount for p in account.positions if p.market_index == request.market.market_index)


def _against(base: int, request: OrderRequest) -> bool:
    """Whether the order trades the other way from a position of signed size `base`."""
    return base != 0 and (base > 0) != (request.direction is Direction.LONG)


def reduce_only_refusals(request: OrderRequest, account: AccountSnapshot) -> list[Refusal]:
    """A reduce-only order must shrink the position it faces, or Drift refuses it."""
    base = position_base(account, request)
    if _against(base, request):
        return []
    held = "no position"
    if base != 0:
        held = f"a {'long' if base > 0 else 'short'} of {format_base(abs(base), request.market)}"
    return [Refusal(
        RefusalCode.REDUCE_ONLY_INCREASES,
        f"A reduce-only {side_label(request.direction)} on {request.market.symbol} would not shrink a position "
        f"(it holds {held}); drop reduce-only or trade the other side.",
    )]


def reducible_base(request: OrderRequest, account: AccountSnapshot) -> int:
    """How much of the position `request` faces a reduce-only order on its side can fill: all of
    it when the order trades against it, nothing otherwise."""
    base = position_base(account, request)
    return abs(base) if _against(base, request) else 0


def _reduce_only_size(request: OrderRequest, account: AccountSnapshot) -> list[Refusal]:
    """A reduce-only order larger than the position it shrinks fills the position at most: the
    rest never can, and a preview of the whole size would show a trade that cannot happen."""
    base = position_base(account, request)
    if not _against(base, request) or request.base_amount <= abs(base):
        return []
    market, held = request.market, format_base(abs(base), request.market)
    side = "long" if base > 0 else "short"
    return [Refusal(
        RefusalCode.REDUCE_ONLY_EXCEEDS,
        f"A reduce-only {side_label(request.direction)} of {format_base(request.base_amount, market)} on "
        f"{market.symbol} is larger than the {side} of {held} it shrinks; size it to {held} at most, "
        "or drop reduce-only.",
    )]


def _margin(
    request: OrderRequest, account: AccountSnapshot, preview: Preview, largest_base: int | None
) -> list[Refusal]:
    """Free collateral must stay non-negative after the fill, or the program refuses (6003).

    What the order needs is what it takes out of free collateral (its initial margin and
    fee); an order that takes nothing (it lowers risk) is never refused here.
    """
    free = account.free_collateral
    needed = free - preview.free_collateral_after
    if preview.free_collateral_after >= 0 or needed <= 0:
        return []
    market = request.market
    largest = largest_base
    if largest is None:
        largest = floor_to(request.base_amount * max(free, 0) // needed, market.step_size)
    fix = (
        f"reduce the size to at most {format_base(largest, market)} or deposit more"
        if largest >= market.min_order_size
        else f"deposit at least {format_usd(needed - free)} more"
    )
    return [Refusal(
        RefusalCode.INSUFFICIENT_COLLATERAL,
        f"Free collateral {format_usd(free)} does not cover the {format_usd(needed)} initial margin and fee "
        f"this order needs; {fix}.",
    )]


def format_leverage(leverage: int) -> str:
    """Leverage (1e4) to one place, rounded up so a figure just above a cap never reads as the cap."""
    ratio = (Decimal(leverage) / LEVERAGE_PRECISION).quantize(Decimal("0.1"), rounding=ROUND_UP)
    return f"{ratio.normalize():f}x"


def _leverage(
    request: OrderRequest, preview: Preview, strategy: StrategyPreset, largest_base: int | None
) -> list[Refusal]:
    cap = strategy.max_leverage * LEVERAGE_PRECISION
    if preview.leverage_after <= cap:
        return []
    return [Refusal(
        RefusalCode.LEVERAGE,
        f"Leverage after this order would be {format_leverage(preview.leverage_after)}, above the "
        f"{strategy.name} strategy's {strategy.max_leverage.normalize():f}x; "
        f"{_fix_size(request, largest_base, 'reduce the size')}.",
    )]


def _stacking(request: OrderRequest, open_orders: Sequence[Order]) -> list[Refusal]:
    """An order that opens or grows exposure on the same market and side as a live one is
    usually a double keypress (exits never reach here: `only_reduces`); a resting
    take-profit or stop-loss is protection, not an earlier keypress."""
    market = request.market
    for order in open_orders:
        if resting_protection(order):
            continue
        if (order.market_type, order.market_index, order.direction) == (
            market.market_type, market.market_index, request.direction
        ):
            kind = order.order_type.value.replace("_", " ")
            return [Refusal(
                RefusalCode.STACKING,
                f"An open {kind} {side_label(order.direction)} on {market.symbol} already exists "
                f"(order #{order.order_id}); to place another anyway, use the stacking override "
                f"(--allow-stacking, or alt+s in order entry).",
            )]
    return []


FAR_PRICE_OVERRIDE = "--allow-far-price"


def price_band(request: OrderRequest, oracle_price: int, band_pct: Decimal) -> list[Refusal]:
    """A limit price more than `band_pct` % through the market is a typo until proven otherwise.

    "Through" is the side where the order trades at once: above the reference for a buy,
    below it for a sell (a limit sell of BTC at $1 sells at whatever bids there are).
    The reference is the oracle, or for a trigger limit its trigger price, where the
    oracle will be when it fires. Trigger prices themselves are never through: an order
    whose trigger would fire at once is refused when it is parsed.
    """
    if request.price is None:
        return []
    reference = request.trigger_price if request.trigger_price is not None else oracle_price
    if reference <= 0:
        return []
    buying = request.direction is Direction.LONG
    through = (request.price - reference) if buying else (reference - request.price)
    if through * 100 <= band_pct * reference:  # exact: no rounding decides a refusal
        return []
    through_pct = Decimal(through) * 100 / reference
    what = "its trigger price" if request.trigger_price is not None else "the oracle price"
    where = "above" if buying else "below"
    shown = through_pct.quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    if shown <= band_pct:  # never let a price just beyond the band read as on it
        shown = through_pct.quantize(Decimal("0.01"), rounding=ROUND_UP)
    shown = shown.normalize()
    return [Refusal(
        RefusalCode.FAR_PRICE,
        f"The limit {side_label(request.direction)} price {format_price(request.price)} on {request.market.symbol} "
        f"is {shown:f}% {where} {what} {format_price(reference)}, beyond the {band_pct.normalize():f}% price band; "
        f"fix the price, or add {FAR_PRICE_OVERRIDE} to the order on the command line or the `:` line if you mean it.",
    )]
