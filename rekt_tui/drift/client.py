"""Building driftpy's DriftClient for a cluster profile, in one place.

driftpy knows two environments; the embedded localnet behaves as devnet with its own
lookup table. driftpy 0.8.89 also fixes the program id at import time
(`DriftClient.program_id = DRIFT_PROGRAM_ID`), so a `venue = "drift"` profile naming another
program (the relaunch after the 2026-04-01 exploit) is refused with a sentence rather than
silently talking to the old program.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from rekt_tui.config.models import DRIFT_PROGRAM_ID_V2
from rekt_tui.domain.errors import UsageError

if TYPE_CHECKING:
    from driftpy.drift_client import DriftClient
    from solders.keypair import Keypair
    from solders.pubkey import Pubkey

# driftpy.constants.config.DRIFT_PROGRAM_ID, named by the config (importing driftpy's
# constants costs more than half a second, and this check runs before any client exists).
DRIFTPY_PROGRAM_ID = DRIFT_PROGRAM_ID_V2


@dataclass(frozen=True)
class Endpoint:
    """What a DriftClient needs to know about a cluster."""

    cluster: str
    rpc_url: str
    program_id: str
    lookup_tables: tuple[str, ...] = ()

    @property
    def driftpy_env(self) -> Literal["devnet", "mainnet"]:
        return "mainnet" if self.cluster == "mainnet" else "devnet"


def check_supported(endpoint: Endpoint) -> None:
    if endpoint.program_id != DRIFTPY_PROGRAM_ID:
        raise UsageError(
            f"{endpoint.cluster} is configured for Drift program {endpoint.program_id}, but this driftpy only "
            f"speaks to {DRIFTPY_PROGRAM_ID}; remove program_id from this cluster's profile (venue = \"drift\" "
            "brings that program), or upgrade rekt-tui."
        )


def build_client(
    endpoint: Endpoint, wallet: "Keypair", *, authority: "Pubkey | None" = None, subscription: Literal["websocket", "cached"] = "websocket"
) -> "DriftClient":
    """A DriftClient (not yet subscribed) for `wallet`, reading `authority`'s account if given.

    driftpy is imported here, not at module load: it costs most of a second.
    """
    from driftpy.account_subscription_config import AccountSubscriptionConfig
    from driftpy.drift_client import DriftClient
    from solders.pubkey import Pubkey

    from rekt_tui.drift.resilient_http import resilient_connection

    check_supported(endpoint)
    tables = [Pubkey.from_string(table) for table in endpoint.lookup_tables] or None
    return DriftClient(
        resilient_connection(endpoint.rpc_url),
        wallet,
        env=endpoint.driftpy_env,
        authority=authority,
        account_subscription=AccountSubscriptionConfig(subscription),
        market_lookup_tables=tables,
    )
