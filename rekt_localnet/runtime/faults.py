"""Transaction faults on demand, for the sender's reliability tests.

Each fault mimics something a real cluster does to a client's transaction:

- drop: the RPC node answers with the signature but the transaction never reaches a
  leader. A dropped signature stays dropped: resending the same bytes does not land it,
  so a client must wait for the blockhash to expire and rebuild, as on a real cluster
  that keeps losing a transaction.
- fail: the transaction lands with `InstructionError [i, {Custom: code}]` and its fee
  charged and nothing else, as when state moved between preflight and execution.
- delay: the transaction lands at once, but statuses and signature notifications only
  show it `delay` slots later, as under a congested or lagging RPC node. Held statuses
  live in memory: a localnet stopped within those slots keeps the effect but forgets
  the signature, so a resend after the restart could apply again.

Faults apply to client transactions only; the localnet's own (airdrops, keeper,
makers) always land normally.
"""

from dataclasses import dataclass


@dataclass
class TransactionFaults:
    drop: int = 0
    fail: int = 0
    fail_code: int = 0
    confirmation_delay: int = 0

    def take_drop(self) -> bool:
        """Whether to drop the transaction at hand (uses up one drop)."""
        if self.drop <= 0:
            return False
        self.drop -= 1
        return True

    def take_failure(self) -> int | None:
        """The custom error code to land the transaction at hand with, if any."""
        if self.fail <= 0:
            return None
        self.fail -= 1
        return self.fail_code

    def clear(self) -> None:
        self.drop = self.fail = self.fail_code = self.confirmation_delay = 0
