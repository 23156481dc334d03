"""The faucet: SOL airdrops and test USDC, both as real transactions through the runtime.

`requestAirdrop` answers at once with the signature of a System transfer from the
faucet; the transfer lands when the next slot starts, so clients see the usual sequence
of unknown, then confirmed, then finalized. The faucet account holds genesis lamports
and pays the transfer and its fee, so lamports are conserved apart from fees.

Test USDC (on a relaunch localnet, its USDT-like quote: whatever `quote_mint` the
faucet was given) is minted by the faucet key, which is the quote mint's authority: one
transaction creates the wallet's associated token account if it is missing and mints
to it, landing at once.

Signing is deterministic: asking twice for the same thing within one blockhash gives
the same transaction, which, as on a real cluster, lands only once.
"""

import logging
from dataclasses import dataclass

from solders.hash import Hash
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from solders.transaction import Transaction

from rekt_localnet.keys import FAUCET_KEYPAIR, LOCALNET_FAUCET, USDC_MINT
from rekt_localnet.ledger import Ledger
from rekt_localnet.programs.ata import associated_token_address, create_idempotent_instruction
from rekt_localnet.programs.token import mint_to_instruction
from rekt_localnet.runtime import Runtime, TransactionRejected
from rekt_localnet.runtime.budget import LAMPORTS_PER_SIGNATURE

log = logging.getLogger(__name__)


class AirdropError(ValueError):
    """The faucet cannot pay this airdrop."""


@dataclass(frozen=True, slots=True)
class _Airdrop:
    lamports: int
    wire: bytes


class Faucet:
    """Queues airdrops and lands them at the start of the next slot; mints test USDC."""

    def __init__(self, ledger: Ledger, runtime: Runtime, quote_mint: Pubkey = USDC_MINT) -> None:
        self._ledger = ledger
        self._quote_mint = quote_mint
        self._runtime = runtime
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
            self._pending.setdefault(signature, _Airdrop(lamports, bytes(tx)))
        return signature

    def land_pending(self) -> None:
        """Land the queued transfers in the current slot."""
        pending, self._pending = self._pending, {}
        for signature, drop in pending.items():
            try:
                self._runtime.land(drop.wire)
            except TransactionRejected:
                log.exception("airdrop %s could not land", signature)

    def mint_usdc(self, owner: Pubkey, amount: int) -> tuple[str, Pubkey]:
        """Mint `amount` (native units, 6 decimals) of the venue's test quote (USDC, or the
        relaunch's USDT) to `owner`'s associated token account, creating it if needed;
        returns the signature and the account."""
        account = associated_token_address(owner, self._quote_mint)
        instructions = [
            create_idempotent_instruction(LOCALNET_FAUCET, owner, self._quote_mint),
            mint_to_instruction(self._quote_mint, account, LOCALNET_FAUCET, amount),
        ]
        return self._runtime.submit_internal(instructions, [FAUCET_KEYPAIR]), account
