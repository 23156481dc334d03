"""What a localnet needs to run the relaunched program ("Velocity") instead of Drift.

`serve(venue="velocity")` takes its genesis, programs, faucet quote, oracle feed, DLOB server,
keeper and makers from here; a ledger's venue is fixed at genesis (see `venues.py`).
"""

from collections.abc import Callable

from solders.pubkey import Pubkey

from rekt_localnet.dlob.velocity import VelocityDlobServer, perp_oracle_prices
from rekt_localnet.ledger import Ledger
from rekt_localnet.market.velocity_keeper import VelocityKeeper
from rekt_localnet.market.velocity_makers import VelocityMakers
from rekt_localnet.programs.velocity.markets import QUOTE_MINT
from rekt_localnet.programs.velocity.program import LocalClobProgram, VelocityLocalProgram
from rekt_localnet.runtime import Runtime
from rekt_localnet.runtime.program import Program
from rekt_localnet.velocity_genesis import build_velocity_genesis
from rekt_localnet.velocity_oracle_feed import VelocityOracleFeed

__all__ = [
    "QUOTE_MINT", "MarketLife", "VelocityDlobServer", "VelocityOracleFeed", "build_velocity_genesis",
    "perp_oracle_prices", "programs",
]  # fmt: skip


def programs(activation_delay_slots: int = 0, paused: Callable[[], bool] = lambda: False) -> list[Program]:
    return [VelocityLocalProgram(activation_delay_slots, refuses_everything=paused), LocalClobProgram()]


class MarketLife:
    """The relaunch's keeper (trigger orders) and makers (book ladders), run once a slot."""

    def __init__(self, ledger: Ledger, runtime: Runtime, mint_quote: Callable[[Pubkey, int], tuple[str, Pubkey]]) -> None:
        self.keeper = VelocityKeeper(ledger, runtime)
        self.makers = VelocityMakers(ledger, runtime, mint_quote)

    def bootstrap(self) -> None:
        self.keeper.bootstrap()
        self.makers.bootstrap()

    def steps(self) -> list[Callable[[int], None]]:
        """Keeper first, so a trigger fires against the book before makers re-quote it."""
        return [self.keeper.tick, self.makers.tick]
