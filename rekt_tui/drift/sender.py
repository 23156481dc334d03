"""Our transaction sender: nothing signed is lost, nothing lands twice, no failure passes as success.

The policy (docs/RELIABILITY.md): sign → persist the signature, the exact bytes and their last
valid block height → broadcast with maxRetries=0 → resend the same bytes every ~2 s →
confirm at `confirmed` and read the landed `err` → call it expired only when the chain is
past the last valid block height AND a history search finds nothing → look for the
intent's effect on chain (drift/effects.py: a lagging node shows landings late) → only
then rebuild once, from fresh chain state. Because the bytes are fixed before the first
broadcast, any number of resends can land at most once; a crash at any point leaves a
registry row that `resume` finishes. Bytes identical to a row already recorded for the
same intent (a re-plan in the same blockhash) are that transaction, not a new one; for
another intent (the same order twice within one blockhash) they wait for the next blockhash.

Once a signature is persisted, any failure is raised as `AfterSigning` naming it.
"""

import asyncio
import base64
import json
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from inspect import isawaitable
from typing import Any, Protocol

from solders.transaction import VersionedTransaction

from rekt_tui.domain.compatibility import IncompatibleProgram
from rekt_tui.domain.errors import AfterSigning, RektError
from rekt_tui.domain.records import TransactionRecord, TransactionStatus
from rekt_tui.drift.effects import CHECKPOINT_KEY, EffectProbe, Evidence
from rekt_tui.drift.errors import (
    ProgramErrors, TransactionExpired, TransactionFailed, decode_transaction_error,
)  # fmt: skip
from rekt_tui.drift.rpc import JsonRpc, RpcError, RpcTimeout, RpcTransportError

log = logging.getLogger(__name__)

PREFLIGHT_FAILURE = -32002
LANDED = ("confirmed", "finalized")
# Preflight refusals that say nothing about the transaction itself: keep trying until expiry.
TRANSIENT_PREFLIGHT = {"BlockhashNotFound", "AlreadyProcessed"}
HISTORY = {"searchTransactionHistory": True}
RECHECK_S = 5.0  # how often a refusal that can lift is asked again, at most

# Given a recent blockhash, return the signed transaction's wire bytes (built from fresh chain state).
Builder = Callable[[str], bytes | Awaitable[bytes]]


@dataclass(frozen=True)
class SendPolicy:
    resend_interval_s: float = 2.0
    poll_interval_s: float = 0.2
    backoff_initial_s: float = 0.25
    backoff_max_s: float = 8.0
    rebuilds: int = 1
    # No answer at all from the node for this long: the outcome is reported unknown (AfterSigning).
    silent_limit_s: float = 60.0
    # A new intent whose bytes equal an earlier one's waits this long for the next blockhash.
    fresh_blockhash_s: float = 30.0


@dataclass(frozen=True)
class Landed:
    signature: str
    slot: int
    rebuild_of: str | None = None


class Journal(Protocol):
    """Where signed transactions are persisted before broadcast (the registry, in the app)."""

    async def record_transaction(
        self, session_pubkey: str, *, kind: str, intent: str, signature: str, raw_tx: bytes,
        last_valid_block_height: int, rebuild_of: str | None = None,
    ) -> Any: ...  # fmt: skip

    async def update_transaction(self, signature: str, **changes: Any) -> Any: ...

    async def get_transaction(self, signature: str) -> TransactionRecord | None: ...

    def signing_lock(self, pubkey: str) -> AbstractAsyncContextManager[Any]: ...


class _Expired(Exception):
    """Past its last valid block height with no status: expired unless its effect shows."""


# A status query that got no definite answer: never to be read as "not landed".
UNKNOWN = object()


def _same_intent(recorded: dict, intent: dict) -> bool:
    """Whether two intents are one request (the checkpoint is when it was sent, not what)."""
    return {k: v for k, v in recorded.items() if k != CHECKPOINT_KEY} == {
        k: v for k, v in json.loads(json.dumps(intent, default=str)).items() if k != CHECKPOINT_KEY
    }


def signature_of(wire: bytes) -> str:
    return str(VersionedTransaction.from_bytes(wire).signatures[0])


class TransactionSender:
    def __init__(
        self,
        rpc: JsonRpc,
        registry: Journal,
        policy: SendPolicy = SendPolicy(),
        *,
        probe: EffectProbe | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rpc = rpc
        self._registry = registry
        self._policy = policy
        self.probe = probe
        self._sleep = sleep
        self._clock = clock
        # Why nothing may be signed here (an incompatible program), in one sentence; None: signing allowed.
        self.refusal: str | None = None
        # Asks again whether signing is refused, for a refusal that can lift (a paused program resumes).
        self.recheck: Callable[[], Awaitable[str | None]] | None = None
        self._recheck_at = 0.0
        # The venue program's own error names (set by the link from its venue); None: Drift's table.
        self.program_error: ProgramErrors | None = None

    async def send(self, session: str, *, kind: str, intent: dict, build: Builder) -> Landed:
        """Land one transaction for `intent`, rebuilding it at most `policy.rebuilds` times after expiry.

        Holds the session's signing lock from signing to landing, so no other process
        signs for the session meanwhile. Raises TransactionFailed (preflight or landed
        error, with the decoded code), TransactionExpired (it and its rebuilds provably
        never landed, and the chain shows no effect), or AfterSigning (anything else once
        a signature was persisted). Refuses with IncompatibleProgram, before anything is
        built or signed, while `refusal` is set.
        """
        if (refusal := await self.current_refusal()) is not None:
            raise IncompatibleProgram(refusal)
        async with self._registry.signing_lock(session):
            return await self._send_locked(session, kind=kind, intent=intent, build=build)

    async def current_refusal(self) -> str | None:
        """`refusal`, asked again (at most every RECHECK_S) while it may lift."""
        if self.refusal is not None and self.recheck is not None and self._clock() >= self._recheck_at:
            self._recheck_at = self._clock() + RECHECK_S
            self.refusal = await self.recheck()
        return self.refusal

    async def _send_locked(self, session: str, *, kind: str, intent: dict, build: Builder) -> Landed:
        if self.probe is not None:
            intent = {**intent, CHECKPOINT_KEY: await self.probe.checkpoint(intent)}
        signatures: list[str] = []
        try:
            return await self._send(session, kind, intent, build, signatures)
        except (TransactionFailed, TransactionExpired, AfterSigning):
            raise
        except Exception as error:
            if not signatures:
                raise
            raise _after_signing(kind, signatures, error) from error

    async def _send(self, session: str, kind: str, intent: dict, build: Builder, signatures: list[str]) -> Landed:
        rebuild_of: str | None = None
        text = json.dumps(intent, sort_keys=True, default=str)
        for _ in range(self._policy.rebuilds + 1):
            wire, last_valid, known = await self._sign(kind, intent, build)
            signature = signature_of(wire)
            if known is None:
                await self._registry.record_transaction(
                    session, kind=kind, intent=text, signature=signature, raw_tx=wire,
                    last_valid_block_height=last_valid, rebuild_of=rebuild_of,
                )  # fmt: skip
            if signature not in signatures:
                signatures.append(signature)
            try:
                if known is not None:
                    # The same bytes as a recorded transaction (a re-plan within one blockhash) are that
                    # transaction: finish it, never record or count it twice.
                    log.info("%s %s is already recorded (%s); finishing it", kind, signature, known.status.value)
                    return await self._finish_known(known)
                return await self._drive(signature, wire, last_valid, preflight=True, rebuild_of=rebuild_of)
            except _Expired:
                evidence = await self._effect(signatures, intent)
                if evidence is not None:
                    return await self._adopt(signature, evidence, rebuild_of)
                await self._mark_expired(signature)
                log.warning("%s %s expired without landing, and the chain shows no effect", kind, signature)
                rebuild_of = signature
        raise TransactionExpired(
            f"The {kind} transaction expired {len(signatures)} times without landing and the chain shows no "
            f"effect ({', '.join(signatures)}); the cluster may be congested: try again."
        )

    async def _sign(self, kind: str, intent: dict, build: Builder) -> tuple[bytes, int, TransactionRecord | None]:
        """The signed bytes, their last valid block height and the row already holding them.

        A row for the same intent is a re-plan of it. A row for another intent means two
        equal requests signed within one blockhash: those bytes are the earlier request's
        transaction, so this one waits for the next blockhash rather than be counted as it.
        So does a retry of a failed one (a parked withdrawal once its market resumes).
        """
        deadline = self._clock() + self._policy.fresh_blockhash_s
        while True:
            blockhash, last_valid = await self._latest_blockhash()
            wire = build(blockhash)
            wire = await wire if isawaitable(wire) else wire
            known = await self._registry.get_transaction(signature_of(wire))
            if known is None or (
                known.status is not TransactionStatus.FAILED and _same_intent(json.loads(known.intent), intent)
            ):
                return wire, last_valid, known
            if self._clock() >= deadline:
                raise RektError(
                    f"The {kind} transaction came out identical to {known.signature}, sent just before it, and no "
                    "new blockhash arrived to tell them apart; nothing new was signed: try again."
                )
            await self._sleep(self._policy.poll_interval_s)

    async def resume(self, record: TransactionRecord) -> Landed | None:
        """Finish a transaction a crash left pending or sent; None if it provably never landed."""
        if record.status not in (TransactionStatus.PENDING, TransactionStatus.SENT):
            raise ValueError(f"transaction {record.signature} is already {record.status.value}")
        try:
            return await self._drive(
                record.signature, record.raw_tx, record.last_valid_block_height, preflight=False,
                rebuild_of=record.rebuild_of, retries=record.retry_count,
            )  # fmt: skip
        except _Expired:
            return await self.reexamine(record)

    async def reexamine(self, record: TransactionRecord) -> Landed | None:
        """Whether a transaction past its expiry (or recorded `expired`) landed after all.

        Promotes the row to confirmed (or failed, with its code) when the chain shows it;
        otherwise marks it expired and returns None. A row already `expired` may have
        been rebuilt, so only its own signature counts as proof; a pending or sent row
        was never rebuilt, so its intent's effect on the account counts too.
        """
        result = await self._rpc.call("getSignatureStatuses", [[record.signature], HISTORY])
        status = result["value"][0]
        if isinstance(status, dict) and status.get("confirmationStatus") in LANDED:
            return await self._settle(record.signature, status, record.rebuild_of)
        intent = json.loads(record.intent)
        if record.status is TransactionStatus.EXPIRED:
            intent = {CHECKPOINT_KEY: intent.get(CHECKPOINT_KEY)}  # no order fields: signatures only
        evidence = await self._effect([record.signature], intent)
        if evidence is not None:
            return await self._adopt(record.signature, evidence, record.rebuild_of)
        await self._mark_expired(record.signature)
        return None

    async def _finish_known(self, record: TransactionRecord) -> Landed:
        if record.status is TransactionStatus.CONFIRMED:
            return Landed(record.signature, record.slot or 0, record.rebuild_of)
        if record.status is TransactionStatus.EXPIRED:
            raise _Expired
        return await self._drive(
            record.signature, record.raw_tx, record.last_valid_block_height, preflight=False,
            rebuild_of=record.rebuild_of, retries=record.retry_count,
        )  # fmt: skip

    async def _effect(self, signatures: list[str], intent: dict) -> Evidence | None:
        """The intent's effect on chain, if any (no probe: none can be seen)."""
        if self.probe is None:
            return None
        return await self.probe.find(signatures, intent)

    async def _adopt(self, signature: str, evidence: Evidence, rebuild_of: str | None) -> Landed:
        """The chain shows the intent's effect: settle the landed signature, never rebuild."""
        log.warning("%s has no status yet, but its effect is on chain: %s", signature, evidence.detail)
        if evidence.signature is not None:
            status = {"slot": evidence.slot, "err": evidence.err, "confirmationStatus": "confirmed"}
            return await self._settle(evidence.signature, status, rebuild_of)
        await self._registry.update_transaction(
            signature, status=TransactionStatus.CONFIRMED, slot=evidence.slot, confirmed_at=_now(),
            message=f"No status yet; its effect is on chain ({evidence.detail}) as of slot {evidence.slot}.",
        )  # fmt: skip
        return Landed(signature, evidence.slot, rebuild_of)

    async def _mark_expired(self, signature: str) -> None:
        await self._registry.update_transaction(signature, status=TransactionStatus.EXPIRED)

    async def _drive(
        self, signature: str, wire: bytes, last_valid: int, *, preflight: bool, rebuild_of: str | None, retries: int = 0
    ) -> Landed:
        accepted = await self._broadcast(signature, wire, preflight=preflight)
        if accepted:
            await self._registry.update_transaction(signature, status=TransactionStatus.SENT, sent_at=_now())
        backoff = self._policy.backoff_initial_s
        next_send = self._clock() + (self._policy.resend_interval_s if accepted else backoff)
        last_answer = self._clock()
        while True:
            status = await self._status(signature)
            if status is not UNKNOWN:
                last_answer = self._clock()
            elif self._clock() - last_answer > self._policy.silent_limit_s:
                raise RektError(f"the RPC gave no answer for {self._policy.silent_limit_s:g} s")
            if isinstance(status, dict) and status.get("confirmationStatus") in LANDED:
                return await self._settle(signature, status, rebuild_of)
            if status is None and await self._provably_expired(signature, last_valid):
                raise _Expired
            if self._clock() >= next_send:
                retries += 1
                sent = await self._broadcast(signature, wire, preflight=False)
                update = {"retry_count": retries}
                if sent and not accepted:
                    update.update(status=TransactionStatus.SENT, sent_at=_now())
                await self._registry.update_transaction(signature, **update)
                accepted = accepted or sent
                # The same bytes every resend interval; after no answer, back off (429 storms).
                backoff = self._policy.backoff_initial_s if sent else min(backoff * 2, self._policy.backoff_max_s)
                next_send = self._clock() + (self._policy.resend_interval_s if sent else backoff)
            await self._sleep(self._policy.poll_interval_s)

    async def _broadcast(self, signature: str, wire: bytes, *, preflight: bool) -> bool:
        """Send the bytes once. True: the node took them; False: no definite answer (try again)."""
        config = {"encoding": "base64", "skipPreflight": not preflight, "maxRetries": 0}
        if preflight:
            config["preflightCommitment"] = "confirmed"
        try:
            await self._rpc.call_once("sendTransaction", [base64.b64encode(wire).decode(), config])
            return True
        except (RpcTransportError, RpcTimeout) as error:
            log.info("broadcast of %s got no answer (%s); the same bytes will be sent again", signature, error)
            return False
        except RpcError as error:
            err = (error.data or {}).get("err") if isinstance(error.data, dict) else None
            if error.code != PREFLIGHT_FAILURE or err is None:
                log.info("broadcast of %s refused (%s); the same bytes will be sent again", signature, error)
                return False
            decoded = decode_transaction_error(err, self.program_error)
            if decoded.name in TRANSIENT_PREFLIGHT:
                return False
            await self._record_failure(signature, decoded)
            raise TransactionFailed(signature, decoded, landed=False) from None

    async def _settle(self, signature: str, status: dict, rebuild_of: str | None) -> Landed:
        """A landed transaction: success only if its `err` is empty."""
        if status.get("err") is not None:
            decoded = decode_transaction_error(status["err"], self.program_error)
            await self._record_failure(signature, decoded, slot=status.get("slot"))
            raise TransactionFailed(signature, decoded, landed=True)
        await self._registry.update_transaction(
            signature, status=TransactionStatus.CONFIRMED, slot=status.get("slot"), confirmed_at=_now()
        )
        return Landed(signature, status.get("slot", 0), rebuild_of)

    async def _record_failure(self, signature: str, decoded, slot: int | None = None) -> None:
        await self._registry.update_transaction(
            signature,
            status=TransactionStatus.FAILED,
            error_type=decoded.kind,
            error_code=decoded.code,
            error_name=decoded.name,
            message=decoded.message,
            slot=slot,
        )

    async def _status(self, signature: str) -> dict | None | object:
        """The signature's status, None when the node (searching history) has none, or UNKNOWN."""
        try:
            result = await self._rpc.call_once("getSignatureStatuses", [[signature], HISTORY])
            return result["value"][0]
        except (RpcTransportError, RpcTimeout, RpcError, KeyError, IndexError, TypeError):
            return UNKNOWN

    async def _provably_expired(self, signature: str, last_valid: int) -> bool:
        """Past its last valid block height, and a history search (after that height) still finds nothing."""
        try:
            height = await self._rpc.call_once("getBlockHeight", [{"commitment": "confirmed"}])
        except (RpcTransportError, RpcTimeout, RpcError):
            return False
        return height > last_valid and await self._status(signature) is None

    async def _latest_blockhash(self) -> tuple[str, int]:
        value = (await self._rpc.call("getLatestBlockhash", [{"commitment": "confirmed"}]))["value"]
        return value["blockhash"], value["lastValidBlockHeight"]


def _after_signing(kind: str, signatures: list[str], error: Exception) -> AfterSigning:
    """One sentence: what was signed, what is known, and how it resolves."""
    cause = error.message.rstrip(".") if isinstance(error, RektError) else f"{type(error).__name__}: {error}"
    named = ", ".join(signatures)
    return AfterSigning(
        f"The {kind} transaction {named} was signed and may have landed, but finishing it failed ({cause}); "
        "`rekt-tui recover` resolves it from the chain.",
        tuple(signatures),
    )


def _now() -> datetime:
    return datetime.now(UTC)
