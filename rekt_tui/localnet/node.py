"""What every RPC method can reach: the ledger and the faucet of one running localnet."""

from dataclasses import dataclass

from rekt_tui.localnet.faucet import Faucet
from rekt_tui.localnet.ledger import Ledger


@dataclass(frozen=True, slots=True)
class Node:
    ledger: Ledger
    faucet: Faucet
