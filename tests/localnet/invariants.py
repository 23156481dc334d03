"""Ledger invariants any localnet test can check after it ran: attach a `LedgerWatch`
first, then call `check()`.

- Lamports are conserved: the only lamports that leave the ledger are transaction fees
  (airdrops are transfers from the faucet account, so they conserve lamports too).
- A transaction that landed with an error changed nothing but its fee payer's lamports,
  by exactly its fee.

The watch observes the ledger itself (not what the runtime reports in `meta`), so it
catches a runtime that records one thing and applies another. It attributes account
changes to the next transaction recorded, which holds while confirmations are not
delayed (the delay fault records a transaction slots after applying it).
"""

from dataclasses import dataclass, field

from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction

from rekt_localnet.account import Account
from rekt_localnet.ledger import Ledger
from rekt_localnet.store import TransactionRecord


@dataclass
class LedgerWatch:
    ledger: Ledger
    lamports: dict[Pubkey, int] = field(default_factory=dict)
    delta: int = 0
    fees: int = 0
    pending: dict[Pubkey, tuple[Account | None, Account | None]] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    transactions: int = 0

    def __post_init__(self) -> None:
        # A private read, for tests only: the ledger has no public "all accounts" view.
        self._shadow: dict[Pubkey, Account] = dict(self.ledger._accounts)
        self.ledger.add_observer(self)

    def on_slot(self, slot: int) -> None:
        pass

    def on_account(self, key: Pubkey, account: Account | None, slot: int) -> None:
        old = self._shadow.get(key)
        self.delta += (0 if account is None else account.lamports) - (0 if old is None else old.lamports)
        first = self.pending.get(key, (old, None))[0]
        self.pending[key] = (first, account)
        if account is None:
            self._shadow.pop(key, None)
        else:
            self._shadow[key] = account

    def on_transaction(self, record: TransactionRecord) -> None:
        self.transactions += 1
        self.fees += record.meta["fee"]
        if record.err is not None:
            self._check_failed(record)
        self.pending = {}

    def _check_failed(self, record: TransactionRecord) -> None:
        tx = VersionedTransaction.from_bytes(record.wire)
        payer = tx.message.account_keys[0]
        fee = record.meta["fee"]
        loaded = record.meta["loadedAddresses"]
        named = {*tx.message.account_keys, *map(Pubkey.from_string, loaded["writable"] + loaded["readonly"])}
        for key, (before, after) in self.pending.items():
            before_lamports = 0 if before is None else before.lamports
            after_lamports = 0 if after is None else after.lamports
            if key == payer and before_lamports - after_lamports == fee and _same_data(before, after):
                continue
            if key in named:
                self.violations.append(f"failed transaction {record.signature} changed {key}")

    def check(self) -> None:
        """Raise AssertionError if any invariant broke since the watch was attached."""
        assert not self.violations, self.violations
        assert self.delta == -self.fees, f"lamports changed by {self.delta}, fees were {self.fees}"


def _same_data(before: Account | None, after: Account | None) -> bool:
    if before is None or after is None:
        return before is after
    return (before.owner, before.data, before.executable) == (after.owner, after.data, after.executable)
