"""Websocket subscriptions: which client wants what, and the notifications they get.

The hub observes the ledger; every change is matched against subscriptions and queued
on the subscribing connection at once, in the same event-loop turn, so a notification's
`context.slot` is the slot an HTTP request would see at that moment and never goes
backwards on a connection.

Signature subscriptions are answered even when the transaction landed before the
subscription arrived, and end after their one notification, as on Solana.
"""

from collections import Counter
from dataclasses import dataclass, field
from itertools import count
from typing import Protocol

from solders.pubkey import Pubkey

from rekt_localnet.account import Account
from rekt_localnet.keys import SYSTEM_PROGRAM_ID
from rekt_localnet.ledger import Ledger
from rekt_localnet.store import TransactionRecord
from rekt_localnet.wire import (
    INVALID_PARAMS,
    AccountView,
    Filter,
    RpcError,
    invalid_params,
    param,
    parse_config,
    parse_filters,
    parse_pubkey,
)

# What a deleted account looks like in a notification: empty and owned by System.
_CLOSED_ACCOUNT = Account(0, SYSTEM_PROGRAM_ID, b"", False, 0)


class Outbox(Protocol):
    """Where a connection's messages go (queued, never awaited by the hub)."""

    def send(self, message: dict) -> None: ...


@dataclass(eq=False)
class Subscription:
    id: int
    kind: str
    outbox: Outbox
    key: object = None
    view: AccountView = field(default_factory=AccountView)
    filters: list[Filter] = field(default_factory=list)
    finalized: bool = False


def _notification(method: str, subscription: int, result: object) -> dict:
    return {"jsonrpc": "2.0", "method": method, "params": {"result": result, "subscription": subscription}}


class SubscriptionHub:
    """All websocket subscriptions of one localnet; a ledger observer."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._ids = count()
        self._by_id: dict[int, Subscription] = {}
        self._accounts: dict[Pubkey, dict[int, Subscription]] = {}
        self._programs: dict[Pubkey, dict[int, Subscription]] = {}
        self._slots: dict[int, Subscription] = {}
        self._signatures: dict[str, dict[int, Subscription]] = {}
        self._awaiting_finality: dict[int, tuple[Subscription, TransactionRecord]] = {}
        self._methods = {
            "accountSubscribe": self._account_subscribe,
            "programSubscribe": self._program_subscribe,
            "slotSubscribe": self._slot_subscribe,
            "signatureSubscribe": self._signature_subscribe,
            "accountUnsubscribe": self._unsubscriber("account"),
            "programUnsubscribe": self._unsubscriber("program"),
            "slotUnsubscribe": self._unsubscriber("slot"),
            "signatureUnsubscribe": self._unsubscriber("signature"),
        }

    def census(self) -> dict[str, int]:
        """Read only: live subscriptions by kind, and "connections", the sockets holding any."""
        counts = Counter(sub.kind for sub in self._by_id.values())
        counts["connections"] = len({id(sub.outbox) for sub in self._by_id.values()})
        return dict(counts)

    def method(self, name: str):
        """The handler for a websocket method: `(outbox, params) -> (result, follow-up)`."""
        return self._methods.get(name)

    # Subscribing

    def _register(self, subscription: Subscription, table: dict) -> int:
        self._by_id[subscription.id] = subscription
        table[subscription.id] = subscription
        return subscription.id

    def _account_subscribe(self, outbox: Outbox, params: list):
        key = parse_pubkey(param(params, 0, "pubkey"))
        view = AccountView.from_config(parse_config(params, 1))
        sub = Subscription(next(self._ids), "account", outbox, key, view)
        return self._register(sub, self._accounts.setdefault(key, {})), None

    def _program_subscribe(self, outbox: Outbox, params: list):
        program = parse_pubkey(param(params, 0, "program id"))
        config = parse_config(params, 1)
        view, filters = AccountView.from_config(config), parse_filters(config.get("filters"))
        sub = Subscription(next(self._ids), "program", outbox, program, view, filters)
        return self._register(sub, self._programs.setdefault(program, {})), None

    def _slot_subscribe(self, outbox: Outbox, params: list):
        return self._register(Subscription(next(self._ids), "slot", outbox), self._slots), None

    def _signature_subscribe(self, outbox: Outbox, params: list):
        signature = param(params, 0, "signature")
        if not isinstance(signature, str):
            raise invalid_params("signature must be a string")
        config = parse_config(params, 1)
        finalized = config.get("commitment") in ("finalized", "max", "root")
        sub = Subscription(next(self._ids), "signature", outbox, signature, finalized=finalized)
        record = self._ledger.transaction(signature)
        if record is None:
            return self._register(sub, self._signatures.setdefault(signature, {})), None
        self._by_id[sub.id] = sub
        if finalized and not self._ledger.is_finalized(record):
            self._awaiting_finality[sub.id] = (sub, record)
            return sub.id, None
        return sub.id, lambda: self._notify_signature(sub, record)

    def _unsubscriber(self, kind: str):
        def unsubscribe(outbox: Outbox, params: list):
            sub = self._by_id.get(param(params, 0, "subscription id"))
            if sub is None or sub.kind != kind or sub.outbox is not outbox:
                raise RpcError(INVALID_PARAMS, "Invalid subscription id.")
            self._remove(sub)
            return True, None

        return unsubscribe

    def _remove(self, sub: Subscription) -> None:
        self._by_id.pop(sub.id, None)
        self._awaiting_finality.pop(sub.id, None)
        tables = {"account": self._accounts, "program": self._programs, "signature": self._signatures}
        if sub.kind == "slot":
            self._slots.pop(sub.id, None)
            return
        table = tables[sub.kind]
        subs = table.get(sub.key, {})
        subs.pop(sub.id, None)
        if not subs:
            table.pop(sub.key, None)

    def drop(self, outbox: Outbox) -> None:
        """Forget every subscription of a closed connection."""
        for sub in [sub for sub in self._by_id.values() if sub.outbox is outbox]:
            self._remove(sub)

    # Ledger events

    def on_slot(self, slot: int) -> None:
        result = {"parent": slot - 1, "root": slot - 1, "slot": slot}
        for sub in list(self._slots.values()):
            sub.outbox.send(_notification("slotNotification", sub.id, result))
        for sub, record in list(self._awaiting_finality.values()):
            if self._ledger.is_finalized(record):
                self._notify_signature(sub, record)

    def on_account(self, key: Pubkey, account: Account | None, slot: int) -> None:
        shown = account or _CLOSED_ACCOUNT
        encoded: dict[AccountView, dict] = {}

        def encode(view: AccountView) -> dict:
            if view not in encoded:
                encoded[view] = view.encode(shown, self._ledger.get)
            return encoded[view]

        for sub in list(self._accounts.get(key, {}).values()):
            result = {"context": {"slot": slot}, "value": encode(sub.view)}
            sub.outbox.send(_notification("accountNotification", sub.id, result))
        if account is None:
            return
        for sub in list(self._programs.get(account.owner, {}).values()):
            if all(matches(account.data) for matches in sub.filters):
                result = {"context": {"slot": slot}, "value": {"pubkey": str(key), "account": encode(sub.view)}}
                sub.outbox.send(_notification("programNotification", sub.id, result))

    def on_transaction(self, record: TransactionRecord) -> None:
        for sub in list(self._signatures.get(record.signature, {}).values()):
            self._remove(sub)
            if sub.finalized:
                self._by_id[sub.id] = sub
                self._awaiting_finality[sub.id] = (sub, record)
            else:
                self._notify_signature(sub, record)

    def _notify_signature(self, sub: Subscription, record: TransactionRecord) -> None:
        self._remove(sub)
        result = {"context": {"slot": self._ledger.slot}, "value": {"err": record.err}}
        sub.outbox.send(_notification("signatureNotification", sub.id, result))
