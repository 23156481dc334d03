"""Venue-neutral values the venue seam speaks in: how to reach a venue, what an account holds."""

from dataclasses import dataclass, field

from rekt_tui.domain.teardown import DUST_COLLATERAL
from rekt_tui.domain.trading import Order, Position


@dataclass(frozen=True)
class Holdings:
    """Everything a venue account still holds, in native precisions; empty without an account.

    Unlike `AccountSnapshot`, it keeps realized PnL a closed position has not settled and
    every spot balance (negative: a borrow): exposure the teardown must clear.
    """

    slot: int
    orders: tuple[Order, ...] = ()
    positions: tuple[Position, ...] = ()
    unsettled_pnl: dict[int, int] = field(default_factory=dict)  # perp market -> quote (1e6)
    spot_balances: dict[int, int] = field(default_factory=dict)  # spot market -> token amount
    total_collateral: int = 0  # quote (1e6)

    @property
    def holds_anything(self) -> bool:
        """Exposure or funds inside the venue; collateral below $0.10 (dust) counts as nothing."""
        return bool(
            self.orders or self.positions or any(self.unsettled_pnl.values())
            or any(amount < 0 for amount in self.spot_balances.values())
            or self.total_collateral >= DUST_COLLATERAL
        )  # fmt: skip


@dataclass(frozen=True)
class VenueConfig:
    """What opening a venue connection needs, from the cluster profile and the settings."""

    cluster: str
    program_id: str
    rpc_url: str
    ws_url: str
    dlob_url: str
    dlob_ws_url: str
    lookup_tables: tuple[str, ...] = ()
    stale_after_s: float = 10.0
    venue: str = "drift"
    # The quote asset's mint (spot market 0) the chain must show; None: not known, not compared.
    quote_mint: str | None = None
    # sha256 (hex) the program's published IDL must hash to; None: not pinned.
    idl_sha256: str | None = None
