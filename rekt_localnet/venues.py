"""Which program a ledger runs: Drift's original, or its relaunch ("velocity"); one per ledger.

Light on purpose (solders only): a Drift localnet checks its ledger's venue without importing
the relaunch's simulation, which parses the relaunch's IDL.
"""

from solders.pubkey import Pubkey

from rekt_localnet.ledger import Ledger

VENUES = ("drift", "velocity")
VELOCITY_PROGRAM_ID = Pubkey.from_string("vELoC1audYbSYVRXn1vPaV8Axoa9oU6BYmNGZZBDZ1P")
_VELOCITY_STATE = Pubkey.find_program_address([b"velocity_state"], VELOCITY_PROGRAM_ID)[0]


def ledger_venue(ledger: Ledger) -> str:
    """"velocity" when the ledger holds the relaunch's State, else "drift"."""
    return "velocity" if ledger.get(_VELOCITY_STATE) is not None else "drift"
