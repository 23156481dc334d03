"""What every RPC method can reach: the ledger and the faucet of one running localnet."""

from dataclasses import dataclass, field

from rekt_localnet.faucet import Faucet
from rekt_localnet.faults import Faults
from rekt_localnet.ledger import Ledger
from rekt_localnet.oracle_feed import OracleFeed
from rekt_localnet.runtime import Runtime


@dataclass(frozen=True, slots=True)
class Node:
    ledger: Ledger
    faucet: Faucet
    # What the admin methods (rekt_*) act on; without a feed, rekt_setOraclePrice is refused.
    oracle: OracleFeed | None = None
    faults: Faults = field(default_factory=Faults)
    # Executes transactions (sendTransaction, simulateTransaction, the faucet).
    runtime: Runtime | None = None
