"""driftpy's `DriftUser` for the accounts we hold, which never provide liquidity.

Every figure driftpy computes for an account (collateral, margin, PnL, health,
liquidation price) asks `get_perp_position_with_lp_settle` for each position, and driftpy
0.8.89 defines an Enum class at the top of that method on every call, before it notices
the position has no LP shares. On the gateway's path that is thousands of short-lived
classes a second: garbage that triggers the full collections behind the frame latency's
tail. With no LP shares the method's answer is the position itself, unchanged; this
returns exactly that without the class, and leaves any other case to driftpy.
"""

from driftpy.drift_user import DriftUser
from driftpy.types import PerpPosition


class SessionUser(DriftUser):
    def get_perp_position_with_lp_settle(
        self,
        market_index: int,
        original_position: PerpPosition | None = None,
        burn_lp_shares: bool = False,
        include_remainder_in_base_amount: bool = False,
    ) -> tuple[PerpPosition, int, int]:
        position = original_position or self.get_perp_position(market_index) or self.get_empty_position(market_index)
        if position.lp_shares == 0:
            return position, 0, 0
        return super().get_perp_position_with_lp_settle(
            market_index, position, burn_lp_shares, include_remainder_in_base_amount
        )
