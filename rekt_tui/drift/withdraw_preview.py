"""What a reduce-only withdrawal does to the account, from driftpy's margin math.

The withdrawal is booked into a copy of the User account the way Drift books it: the
deposit's scaled balance shrinks by the amount scaled at the market's cumulative deposit
interest, rounded up (the program never pays out more than the balance it removes).
"""

from dataclasses import replace

from driftpy.drift_client import DriftClient
from driftpy.math.margin import MarginCategory
from driftpy.types import SpotPosition, is_variant

from rekt_tui.domain.collateral import WithdrawPreview
from rekt_tui.domain.errors import RektError
from rekt_tui.drift.actions import drift_user
from rekt_tui.drift.preview import projected_user


def preview_withdraw(client: DriftClient, market_index: int, amount: int) -> WithdrawPreview:
    user = drift_user(client)
    market = client.get_spot_market_account(market_index)
    if market is None:
        raise RektError(f"Spot market {market_index} does not exist on this cluster.")
    held = max(user.get_token_amount(market_index), 0)
    account = user.get_user_account()
    scale = 10 ** (19 - market.decimals)
    removed = -(-min(amount, held) * scale // market.cumulative_deposit_interest)

    def withdrawn(position: SpotPosition) -> SpotPosition:
        if position.market_index != market_index or not is_variant(position.balance_type, "Deposit"):
            return position
        return replace(position, scaled_balance=max(position.scaled_balance - removed, 0))

    after = projected_user(client, user, replace(account, spot_positions=[withdrawn(p) for p in account.spot_positions]))
    margin = int(after.get_margin_requirement(MarginCategory.INITIAL, strict=True))
    total = int(after.get_total_collateral(MarginCategory.INITIAL, True))
    return WithdrawPreview(
        held=held,
        total_collateral_after=total,
        # Not `get_free_collateral()`: it clamps at zero, and a shortfall is what the guard must see.
        free_collateral_after=total - margin,
        # driftpy divides by the collateral left; with none left leverage means nothing.
        leverage_after=int(after.get_leverage(include_open_orders=True)) if total > 0 else None,
    )
