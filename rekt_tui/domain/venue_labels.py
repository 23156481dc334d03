"""What the user reads for the venue a profile trades on: its name, its quote asset's symbol,
and whether its market orders fill after they land.

Amounts are the same on both venues (the quote has 6 decimals either way); only the words
differ. Shared text takes a `VenueLabels` instead of spelling "Drift" or "USDC", so a session
on the relaunch never reads as if it held Drift USDC.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class VenueLabels:
    name: str  # the venue as users know it: "Drift", "Velocity"
    quote: str  # the symbol of the quote asset (spot market 0): "USDC", "USDT"
    # Whether a market order fills later, over its auction (Drift's keepers), rather than taking
    # the book in the transaction that places it (the relaunch's place-and-take).
    fills_after_landing: bool = True

    @property
    def account(self) -> str:
        """The trading account the venue opens for a wallet: "Drift account"."""
        return f"{self.name} account"

    @property
    def assets(self) -> tuple[str, str]:
        """The assets a session deposits, withdraws and airdrops: SOL and the quote."""
        return ("SOL", self.quote)


DRIFT = VenueLabels(name="Drift", quote="USDC")
VELOCITY = VenueLabels(name="Velocity", quote="USDT", fills_after_landing=False)
LABELS: dict[str, VenueLabels] = {"drift": DRIFT, "velocity": VELOCITY}


def venue_labels(venue: str) -> VenueLabels:
    """The labels of a profile's `venue`; the config admits only the venues named here."""
    return LABELS[venue]
