"""Taking collateral out of a running session: the withdrawal's preview and its guards.

A partial withdrawal is always reduce-only (it never opens a borrow) and must leave the
account inside the same rules an order meets: free collateral at or above zero and, while
positions are open, leverage within the session's strategy cap. While a loss limit holds
the session exit-only, collateral comes out only once the account is flat: a withdrawal
beside an open position raises its leverage, which is risk.
"""

from dataclasses import dataclass
from decimal import Decimal

from rekt_tui.domain.guards import Refusal, RefusalCode, format_leverage
from rekt_tui.domain.loss_limit import LIFT_HOW, Breach
from rekt_tui.domain.money import format_usd, to_decimal
from rekt_tui.domain.strategy import StrategyPreset
from rekt_tui.domain.trading import LEVERAGE_PRECISION
from rekt_tui.domain.venue_labels import DRIFT, VenueLabels


@dataclass(frozen=True)
class WithdrawPreview:
    """The account after withdrawing, in the venue's precisions (quote 1e6, leverage 1e4)."""

    held: int  # the asset's deposit before, in its token precision
    total_collateral_after: int
    free_collateral_after: int  # negative: the withdrawal would break initial margin
    leverage_after: int | None  # None: no collateral would be left to measure it against


@dataclass(frozen=True)
class WithdrawRequest:
    asset: str
    decimals: int
    amount: int  # token precision


def leverage_text(leverage: int | None) -> str:
    return "— (no collateral left)" if leverage is None else format_leverage(leverage)


def amount_text(amount: int, decimals: int, asset: str) -> str:
    return f"{to_decimal(amount, decimals).normalize():f} {asset}"


def check_withdraw(
    request: WithdrawRequest,
    preview: WithdrawPreview,
    strategy: StrategyPreset,
    *,
    has_positions: bool,
    breach: Breach | None,
    largest: int | None = None,
    labels: VenueLabels = DRIFT,
) -> list[Refusal]:
    """Every rule a withdrawal breaks; empty means it may be signed. `largest` (the most
    that passes, when known) turns a refusal into a size to try."""
    most = "" if largest is None else f"; withdraw at most {amount_text(largest, request.decimals, request.asset)}"
    refusals = []
    if request.amount > preview.held:
        held = amount_text(max(preview.held, 0), request.decimals, request.asset)
        refusals.append(Refusal(
            RefusalCode.INSUFFICIENT_COLLATERAL,
            f"{labels.name} holds {held} for this session; a withdrawal never borrows, so withdraw at most that.",
        ))  # fmt: skip
    elif preview.free_collateral_after < 0:
        refusals.append(Refusal(
            RefusalCode.INSUFFICIENT_COLLATERAL,
            f"Withdrawing {amount_text(request.amount, request.decimals, request.asset)} would leave free collateral "
            f"at {format_usd(preview.free_collateral_after)}, below the open positions' margin{most}.",
        ))  # fmt: skip
    cap = int(strategy.max_leverage * LEVERAGE_PRECISION)
    leverage = preview.leverage_after
    if has_positions and leverage is not None and leverage > cap and request.amount <= preview.held:
        after = Decimal(leverage) / LEVERAGE_PRECISION
        refusals.append(Refusal(
            RefusalCode.LEVERAGE,
            f"Withdrawing {amount_text(request.amount, request.decimals, request.asset)} would raise leverage to "
            f"{after:.2f}x, above the {strategy.name} strategy's {strategy.max_leverage:f}x cap{most}.",
        ))  # fmt: skip
    if breach is not None and has_positions:
        refusals.append(Refusal(
            RefusalCode.LOSS_LIMIT,
            f"{breach.sentence}; the session is exit-only: close the positions before withdrawing, or lift the "
            f"limit ({LIFT_HOW}).",
        ))  # fmt: skip
    return refusals
