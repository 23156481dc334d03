"""What the session knows of the relaunched program: decoded accounts and oracle prices.

Filled by the connection from one `getMultipleAccounts` and the account socket's
notifications, read by everything that turns chain state into our domain values. Raw bytes
are decoded once when they arrive; a newer notification simply replaces the older value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from solders.pubkey import Pubkey

from rekt_tui.domain.errors import RektError
from rekt_tui.velocity import layouts
from rekt_tui.velocity.codec.program import VelocityProgram
from rekt_tui.velocity.layouts import EscrowView, PerpMarketView, SpotMarketView, StateView, UserView
from rekt_tui.velocity.margin import Margin, compute


@dataclass
class ChainView:
    program: VelocityProgram
    authority: Pubkey
    sub_account_id: int = 0
    state: StateView | None = None
    perps: dict[int, PerpMarketView] = field(default_factory=dict)
    spots: dict[int, SpotMarketView] = field(default_factory=dict)
    oracle_data: dict[str, bytes | None] = field(default_factory=dict)
    user: UserView | None = None
    user_slot: int | None = None
    escrow: EscrowView | None = None

    @property
    def user_key(self) -> Pubkey:
        return self.program.pdas.user(self.authority, self.sub_account_id)

    @property
    def user_stats_key(self) -> Pubkey:
        return self.program.pdas.user_stats(self.authority)

    @property
    def escrow_key(self) -> Pubkey:
        return self.program.pdas.revenue_share_escrow(self.authority)

    @property
    def pays_referral_through_escrow(self) -> bool:
        """The program reads a taker's escrow on every fill (the State's BuilderCodes bit)."""
        return self.state is not None and self.state.builder_codes

    def referred_fill(self, market_index: int) -> bool:
        """A taker fill in the market earns the referee discount (the escrow refers it)."""
        return self.pays_referral_through_escrow and self.escrow is not None and self.escrow.refers(market_index)

    # Applying account data

    def apply(self, key: str, data: bytes | None, slot: int) -> bool:
        """Take one account's data; True when it changes what the account snapshot shows."""
        if key == str(self.user_key):
            self.user = None if data is None else layouts.user(self.program, data)
            self.user_slot = None if data is None else slot
            return True
        if key == str(self.escrow_key):
            self.escrow = None if data is None else layouts.escrow(self.program, data)
            return False
        if key == str(self.program.pdas.state()):
            if data is not None:
                self.state = layouts.state(self.program, data)
            return False
        if key in self.oracle_data:
            self.oracle_data[key] = data
            return True
        if data is None:
            return False
        kind = self.program.accounts.identify(data)
        if kind == "PerpMarket":
            perp = layouts.perp_market(self.program, data)
            self.perps[perp.market_index] = perp
            self.oracle_data.setdefault(str(perp.oracle), None)
            return True
        if kind == "SpotMarket":
            spot = layouts.spot_market(self.program, data)
            self.spots[spot.market_index] = spot
            self.oracle_data.setdefault(str(spot.oracle), None)
            return True
        return False

    # Prices

    def perp_price(self, market_index: int) -> int | None:
        market = self.perps.get(market_index)
        if market is None:
            return None
        return layouts.oracle_price(self.program, self.oracle_data.get(str(market.oracle)), "")

    def spot_price(self, market_index: int) -> int | None:
        market = self.spots.get(market_index)
        if market is None:
            return None
        return layouts.oracle_price(self.program, self.oracle_data.get(str(market.oracle)), market.oracle_source)

    def perp_prices(self) -> dict[int, int]:
        return {index: price for index in self.perps if (price := self.perp_price(index)) is not None}

    def spot_prices(self) -> dict[int, int]:
        return {index: price for index in self.spots if (price := self.spot_price(index)) is not None}

    def margin(self, user: UserView | None = None, *, oracle_at: tuple[Pubkey, int] | None = None) -> Margin:
        """The account's margin figures now (or `user`'s, for a preview), with the oracle
        `oracle_at` names at its price when given: every market it prices moves with it."""
        account = user or self.user
        if account is None:
            raise RektError("The session wallet has no account on this venue yet; initialize it first.")
        perp_prices, spot_prices = self.perp_prices(), self.spot_prices()
        if oracle_at is not None:
            oracle, price = oracle_at
            perp_prices |= {index: price for index, market in self.perps.items() if market.oracle == oracle}
            spot_prices |= {index: price for index, market in self.spots.items() if market.oracle == oracle}
        try:
            return compute(account, self.perps, self.spots, perp_prices, spot_prices)
        except KeyError as missing:
            raise RektError(f"No oracle price or market is known yet for market {missing}; wait for market data.") from None

    # Lookups that refuse in one sentence

    def perp(self, market_index: int) -> PerpMarketView:
        market = self.perps.get(market_index)
        if market is None:
            raise RektError(f"Perp market {market_index} does not exist on this cluster.")
        return market

    def spot(self, market_index: int) -> SpotMarketView:
        market = self.spots.get(market_index)
        if market is None:
            raise RektError(f"Spot market {market_index} does not exist on this cluster.")
        return market

    def require_user(self) -> UserView:
        if self.user is None:
            raise RektError("The session wallet has no account on this venue yet; initialize it first.")
        return self.user
