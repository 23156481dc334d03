"""Airdrops: a real signed System transfer from the faucet, landing in the next slot.

`requestAirdrop` answers at once with the transfer's signature, as a validator's faucet
does; the transfer lands when the next slot starts, so clients see the usual sequence of
unknown, then confirmed, then finalized. The faucet account holds genesis lamports and
pays the transfer and its fee, so lamports are conserved apart from fees.

Signing is deterministic: asking twice for the same amount to the same wallet within one
blockhash gives the same transaction, which, as on a real cluster, lands only once.
"""

from dataclasses import dataclass, replace

from solders.hash import Hash
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from solders.transaction import Transaction

from rekt_tui.localnet.account import Account
from rekt_tui.localnet.keys import FAUCET_KEYPAIR, LOCALNET_FAUCET, SYSTEM_PROGRAM_ID
from rekt_tui.localnet.ledger import Ledger
from rekt_tui.localnet.store import TransactionRecord

LAMPORTS_PER_SIGNATURE = 5_000
_SYSTEM_LOGS = [f"Program {SYSTEM_PROGRAM_ID} invoke [1]", f"Program {SYSTEM_PROGRAM_ID} success"]
_TRANSFER_COMPUTE_UNITS = 150


class AirdropError(ValueError):
    """The faucet cannot pay this airdrop."""


@dataclass(frozen=True, slots=True)
class _Airdrop:
    signature: str
    recipient: Pubkey
    lamports: int
    wire: bytes


class Faucet:
    """Queues airdrops and lands them at the start of the next slot."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._pending: dict[str, _Airdrop] = {}

    def request(self, recipient: Pubkey, lamports: int) -> str:
        """Sign the transfer now and return its signature; it lands next slot."""
        faucet = self._ledger.get(LOCALNET_FAUCET)
        owed = sum(drop.lamports + LAMPORTS_PER_SIGNATURE for drop in self._pending.values())
        if faucet is None or faucet.lamports < owed + lamports + LAMPORTS_PER_SIGNATURE:
            raise AirdropError("the faucet has run dry; restart the localnet with --fresh")
        blockhash, _ = self._ledger.latest_blockhash
        instruction = transfer(TransferParams(from_pubkey=LOCALNET_FAUCET, to_pubkey=recipient, lamports=lamports))
        tx = Transaction.new_signed_with_payer(
            [instruction], LOCALNET_FAUCET, [FAUCET_KEYPAIR], Hash.from_string(blockhash)
        )
        signature = str(tx.signatures[0])
        if self._ledger.transaction(signature, search_history=False) is None:
            self._pending.setdefault(signature, _Airdrop(signature, recipient, lamports, bytes(tx)))
        return signature

    def land_pending(self, block_time: int) -> None:
        """Apply the queued transfers in the current slot, each as a landed transaction."""
        pending, self._pending = self._pending, {}
        for drop in pending.values():
            self._land(drop, block_time)

    def _land(self, drop: _Airdrop, block_time: int) -> None:
        ledger = self._ledger
        keys = Transaction.from_bytes(drop.wire).message.account_keys
        pre = [self._balance(key) for key in keys]
        faucet = ledger.get(LOCALNET_FAUCET)
        ledger.put(LOCALNET_FAUCET, replace(faucet, lamports=faucet.lamports - drop.lamports - LAMPORTS_PER_SIGNATURE))
        recipient = ledger.get(drop.recipient) or Account(0, SYSTEM_PROGRAM_ID)
        ledger.put(drop.recipient, replace(recipient, lamports=recipient.lamports + drop.lamports))
        post = [self._balance(key) for key in keys]
        meta = {
            "err": None,
            "status": {"Ok": None},
            "fee": LAMPORTS_PER_SIGNATURE,
            "preBalances": pre,
            "postBalances": post,
            "innerInstructions": [],
            "logMessages": _SYSTEM_LOGS,
            "preTokenBalances": [],
            "postTokenBalances": [],
            "rewards": [],
            "loadedAddresses": {"writable": [], "readonly": []},
            "computeUnitsConsumed": _TRANSFER_COMPUTE_UNITS,
        }
        ledger.record_transaction(TransactionRecord(drop.signature, ledger.slot, block_time, None, drop.wire, meta))

    def _balance(self, key: Pubkey) -> int:
        account = self._ledger.get(key)
        return 0 if account is None else account.lamports
