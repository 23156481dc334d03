"""Signing v0 transactions for our sender, with lookup tables fetched once per client.

The sender asks for signed bytes given a blockhash (its `Builder`). Drift transactions
name many accounts (markets, oracles, vaults), so they are compiled against Drift's
address lookup tables; driftpy would re-fetch those tables on every send, which costs
one RPC round trip per transaction and fails when the RPC is flaky. Here they are
fetched the first time a transaction is built and reused for the life of the client.
"""

import asyncio
from inspect import isawaitable
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from solders.address_lookup_table_account import AddressLookupTableAccount
from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price
from solders.hash import Hash
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.message import MessageV0
from solders.transaction import VersionedTransaction

from rekt_tui.drift.fees import DEFAULT_COMPUTE_UNIT_LIMIT, transaction_fee

if TYPE_CHECKING:  # the relaunch's adapter signs with `sign_v0` without loading driftpy
    from driftpy.drift_client import DriftClient


# A list of instructions, or something that builds them from the client's current state
# (called again when the sender rebuilds after an expiry, so the rebuild is fresh).
Instructions = Sequence[Instruction] | Callable[[], list[Instruction] | Awaitable[list[Instruction]]]


def sign_v0(
    instructions: Sequence[Instruction],
    payer: Keypair,
    blockhash: str,
    lookup_tables: Sequence[AddressLookupTableAccount],
    *,
    compute_unit_limit: int = DEFAULT_COMPUTE_UNIT_LIMIT,
    compute_unit_price: int = 0,
) -> bytes:
    """Compile a v0 message (Compute Budget instructions first) and sign it as `payer`.

    A zero unit price adds no price instruction: the fee is then the base fee alone,
    which is what a sweep relies on to leave the wallet exactly empty.
    """
    budget = [set_compute_unit_limit(compute_unit_limit)]
    if compute_unit_price:
        budget.append(set_compute_unit_price(compute_unit_price))
    message = MessageV0.try_compile(
        payer.pubkey(), [*budget, *instructions], list(lookup_tables), Hash.from_string(blockhash)
    )
    return bytes(VersionedTransaction(message, [payer]))


class TransactionSigner:
    """Turns instructions into sender `Builder`s for one DriftClient's wallet."""

    def __init__(
        self, drift_client: "DriftClient", *, compute_unit_limit: int = DEFAULT_COMPUTE_UNIT_LIMIT,
        compute_unit_price: int = 0,
    ) -> None:  # fmt: skip
        self._client = drift_client
        self.compute_unit_limit = compute_unit_limit
        self.compute_unit_price = compute_unit_price
        self._tables: list[AddressLookupTableAccount] | None = None
        self._fetching = asyncio.Lock()

    @property
    def payer(self) -> Keypair:
        return self._client.wallet.payer

    @property
    def fee(self) -> int:
        """What one transaction signed here costs in lamports."""
        return transaction_fee(self.compute_unit_limit, self.compute_unit_price)

    async def lookup_tables(self) -> list[AddressLookupTableAccount]:
        async with self._fetching:
            if self._tables is None:
                self._tables = list(await self._client.fetch_market_lookup_table_accounts())
        return self._tables

    def builder(self, instructions: Instructions) -> Callable[[str], Awaitable[bytes]]:
        """A Builder signing `instructions` (or what the callable builds) with the sender's blockhash."""

        async def build(blockhash: str) -> bytes:
            listed = instructions if isinstance(instructions, Sequence) else instructions()
            listed = await listed if isawaitable(listed) else listed
            return sign_v0(
                listed, self.payer, blockhash, await self.lookup_tables(),
                compute_unit_limit=self.compute_unit_limit, compute_unit_price=self.compute_unit_price,
            )  # fmt: skip

        return build
