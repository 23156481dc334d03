"""The ledger: accounts, slots, blockhashes and landed transactions, with observers.

All state lives in memory and is read synchronously, so an RPC answer and a websocket
notification produced in the same event-loop turn always agree on the slot. Changes
are remembered until `commit`, which the slot clock calls once per slot, and which
every landed transaction calls before anyone can learn of it: a localnet never shows
a status (or answers a send) it has not persisted, so a SIGKILL loses nothing it
acknowledged. A transaction whose confirmation is held back (a fault) is persisted as
it lands, with the slot its status shows from, so a restart neither forgets its
effect nor applies a resend of it twice.

Finality: the localnet is a single validator with no forks. A slot is confirmed while
it is the current one and finalized (rooted) as soon as the next slot starts, so every
commitment level reads the same state.
"""

from collections import deque
from collections.abc import Callable, Iterator
from hashlib import sha256
from pathlib import Path
from typing import Protocol

from solders.hash import Hash
from solders.pubkey import Pubkey

from rekt_localnet.account import Account
from rekt_localnet.genesis import GENESIS_SLOT, Genesis
from rekt_localnet.store import LedgerStore, SlotCommit, TransactionRecord

# A blockhash is accepted for 150 blocks after the block that produced it.
BLOCKHASH_VALIDITY = 150
# Blockhashes kept in memory and on disk: enough to answer for any still-valid one.
BLOCKHASHES_KEPT = 300
# How long a status stays in the recent-status cache that answers without history search.
STATUS_CACHE_SLOTS = 300


class LedgerObserver(Protocol):
    """Told of every change as it happens (websocket subscriptions listen this way)."""

    def on_slot(self, slot: int) -> None: ...

    def on_account(self, key: Pubkey, account: Account | None, slot: int) -> None: ...

    def on_transaction(self, record: TransactionRecord) -> None: ...


class Ledger:
    """The state of the localnet cluster."""

    def __init__(self, store: LedgerStore, genesis: Genesis | None = None) -> None:
        """Open a persisted ledger, or start one from `genesis` if the store is empty."""
        self._store = store
        self._observers: list[LedgerObserver] = []
        self._accounts: dict[Pubkey, Account] = {}
        self._by_owner: dict[Pubkey, set[Pubkey]] = {}
        self._dirty: dict[Pubkey, Account | None] = {}
        self._new_blockhashes: list[tuple[int, int, str]] = []
        self._unsaved: list[tuple[TransactionRecord, int]] = []
        self._held: dict[str, tuple[int, TransactionRecord]] = {}  # signature -> (slot shown, record)
        self._recent: dict[str, TransactionRecord] = {}
        self._recent_order: deque[TransactionRecord] = deque()
        chain = store.chain()
        if chain:
            self.slot = chain["slot"]
            self.block_height = chain["block_height"]
            self.transaction_count = chain["transaction_count"]
            for key, account in store.accounts():
                self._index(key, account)
            self._blockhashes = deque(store.blockhashes(), maxlen=BLOCKHASHES_KEPT)
            for record, shown in store.transactions_since(self.slot - STATUS_CACHE_SLOTS):
                if shown > self.slot:
                    self._held[record.signature] = (shown, record)
                else:
                    self._remember(record)
            if store.genesis_hash() is None:  # a ledger from before the genesis hash was kept
                store.record_genesis_hash(store.oldest_blockhash() or self._blockhashes[0][2])
        elif genesis is None:
            raise ValueError("an empty ledger needs a genesis")
        else:
            self.slot = GENESIS_SLOT
            self.block_height = GENESIS_SLOT
            self.transaction_count = 0
            for key, account in genesis.accounts.items():
                self._index(key, account)
                self._dirty[key] = account
            self._blockhashes = deque(maxlen=BLOCKHASHES_KEPT)
            self._add_blockhash(str(genesis.blockhash))
            self.commit()
            store.record_genesis_hash(str(genesis.blockhash))
        self.genesis_hash: str = store.genesis_hash() or ""

    @classmethod
    def open(cls, directory: Path, genesis_factory: Callable[[], Genesis], *, fresh: bool = False) -> "Ledger":
        """The ledger persisted in `directory`; `fresh` wipes it and starts at genesis.

        `genesis_factory` is called only when a genesis is needed, since building one
        costs a tenth of a second.
        """
        if fresh:
            LedgerStore.wipe(directory)
        store = LedgerStore(directory)
        try:
            return cls(store, None if store.chain() else genesis_factory())
        except BaseException:
            store.close()
            raise

    def add_observer(self, observer: LedgerObserver) -> None:
        self._observers.append(observer)

    # Accounts

    def get(self, key: Pubkey) -> Account | None:
        return self._accounts.get(key)

    def owned_by(self, owner: Pubkey) -> Iterator[tuple[Pubkey, Account]]:
        """Accounts of one program, in a stable (address) order."""
        for key in sorted(self._by_owner.get(owner, ()), key=bytes):
            yield key, self._accounts[key]

    def put(self, key: Pubkey, account: Account | None) -> None:
        """Store (or, with None or zero lamports, delete) an account and tell observers."""
        if account is not None and account.lamports == 0:
            account = None
        previous = self._accounts.pop(key, None)
        if previous is not None:
            self._by_owner[previous.owner].discard(key)
        if account is not None:
            self._index(key, account)
        self._dirty[key] = account
        for observer in self._observers:
            observer.on_account(key, account, self.slot)

    def _index(self, key: Pubkey, account: Account) -> None:
        self._accounts[key] = account
        self._by_owner.setdefault(account.owner, set()).add(key)

    # Slots and blockhashes

    @property
    def latest_blockhash(self) -> tuple[str, int]:
        """The newest blockhash and the last block height at which it is still valid."""
        height, _, blockhash = self._blockhashes[-1]
        return blockhash, height + BLOCKHASH_VALIDITY

    def blockhash_last_valid_height(self, blockhash: str) -> int | None:
        """When `blockhash` expires, or None if it is unknown or expired."""
        for height, _, known in reversed(self._blockhashes):
            if known == blockhash:
                last_valid = height + BLOCKHASH_VALIDITY
                return last_valid if self.block_height <= last_valid else None
        return None

    def advance_slot(self) -> int:
        """Start the next slot (with its block and blockhash) and tell observers."""
        self.slot += 1
        self.block_height += 1
        previous = self._blockhashes[-1][2]
        digest = sha256(bytes(Hash.from_string(previous)) + self.slot.to_bytes(8, "little")).digest()
        self._add_blockhash(str(Hash(digest)))
        cutoff = self.slot - STATUS_CACHE_SLOTS
        while self._recent_order and self._recent_order[0].slot < cutoff:
            del self._recent[self._recent_order.popleft().signature]
        for observer in self._observers:
            observer.on_slot(self.slot)
        for signature, (shown, record) in list(self._held.items()):
            if shown <= self.slot:
                del self._held[signature]
                self._show(record)
        return self.slot

    def _add_blockhash(self, blockhash: str) -> None:
        entry = (self.block_height, self.slot, blockhash)
        self._blockhashes.append(entry)
        self._new_blockhashes.append(entry)

    # Transactions

    def record_transaction(self, record: TransactionRecord, *, shown_at: int | None = None) -> None:
        """Persist a landed transaction (with every change made so far), then show its
        status and tell observers; with `shown_at` in a later slot, only from that slot."""
        shown = self.slot if shown_at is None else shown_at
        self._unsaved.append((record, shown))
        if shown > self.slot:
            self._held[record.signature] = (shown, record)
            self.commit()
            return
        self.commit()
        self._show(record)

    def is_known(self, signature: str) -> bool:
        """Whether a transaction landed recently, shown or still held back."""
        return signature in self._held or signature in self._recent

    def _show(self, record: TransactionRecord) -> None:
        self._remember(record)
        self.transaction_count += 1
        for observer in self._observers:
            observer.on_transaction(record)

    def _remember(self, record: TransactionRecord) -> None:
        self._recent[record.signature] = record
        self._recent_order.append(record)

    def transaction(self, signature: str, *, search_history: bool = True) -> TransactionRecord | None:
        """A landed transaction; without `search_history` only the recent-status cache."""
        record = self._recent.get(signature)
        if record is None and search_history and signature not in self._held:
            record = self._store.transaction(signature)
        return record

    def landed_since(self, slot: int) -> list[TransactionRecord]:
        """Persisted transactions shown from `slot` on, oldest first (for catching up)."""
        return [record for record, shown in self._store.transactions_since(slot) if shown <= self.slot]

    def is_finalized(self, record: TransactionRecord) -> bool:
        return record.slot < self.slot

    # Persistence

    def commit(self) -> None:
        """Persist everything changed since the last commit, atomically."""
        change = SlotCommit(
            chain={"slot": self.slot, "block_height": self.block_height, "transaction_count": self.transaction_count},
            accounts=self._dirty,
            blockhashes=self._new_blockhashes,
            transactions=self._unsaved,
            oldest_blockhash_height=self._blockhashes[0][0],
        )
        self._store.commit(change)
        self._dirty, self._new_blockhashes, self._unsaved = {}, [], []

    def close(self) -> None:
        """Persist what is pending and release the ledger directory."""
        self.commit()
        self._store.close()
