"""Reading Drift state straight from the ledger, and landing the localnet's own
transactions, for the makers and the keeper (which act between slots, not in a program).

Users are read with driftpy's hand-written decoder (about 0.06 ms a User, against 4 ms
through anchorpy), which keeps a scan of every order affordable every slot.
"""

import logging
from collections.abc import Iterator, Sequence

from driftpy.addresses import get_perp_market_public_key, get_spot_market_public_key, get_state_public_key
from driftpy.decode.user import decode_user
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from rekt_localnet.encoding import ACCOUNT_SIZES, decode_account
from rekt_localnet.keys import DRIFT_PROGRAM_ID
from rekt_localnet.ledger import Ledger
from rekt_localnet.runtime import Runtime

log = logging.getLogger(__name__)


def users(ledger: Ledger) -> Iterator[tuple[Pubkey, object]]:
    """Every Drift User on the ledger, decoded by driftpy's fast decoder."""
    for key, account in ledger.owned_by(DRIFT_PROGRAM_ID):
        if len(account.data) == ACCOUNT_SIZES["User"]:
            yield key, decode_user(account.data)


class LedgerMarkets:
    """Markets and oracle prices read from the ledger, decoded once per instance (one
    keeper tick): what the program's margin math reads through a DriftView."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._decoded: dict[Pubkey, object] = {}

    def _get(self, key: Pubkey):
        if key not in self._decoded:
            self._decoded[key] = decode_account(self._ledger.get(key).data)
        return self._decoded[key]

    def state(self):
        return self._get(get_state_public_key(DRIFT_PROGRAM_ID))

    def perp_market(self, index: int):
        return self._get(get_perp_market_public_key(DRIFT_PROGRAM_ID, index))

    def spot_market(self, index: int):
        return self._get(get_spot_market_public_key(DRIFT_PROGRAM_ID, index))

    def oracle_price(self, oracle: Pubkey) -> int:
        return self._get(oracle).price


def submit(runtime: Runtime, ledger: Ledger, instructions: Sequence[Instruction], signers: Sequence[Keypair]) -> bool:
    """Land the localnet's own transaction; False (and a log line) if it failed."""
    signature = runtime.submit_internal(instructions, signers)
    record = ledger.transaction(signature, search_history=False)
    if record is not None and record.err is not None:
        log.info("localnet transaction %s failed: %s", signature, record.err)
        return False
    return True
