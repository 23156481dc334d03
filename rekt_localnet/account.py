"""The account record every part of the localnet shares, and the rent rule it obeys.

Accounts are immutable values: a write replaces the record, so a reader holding one
(an RPC answer being encoded, a notification being fanned out) never sees it change.
"""

from dataclasses import dataclass

from solders.pubkey import Pubkey

U64_MAX = 2**64 - 1

# Rent-exempt accounts report this epoch, as validators have since rent collection ended.
RENT_EXEMPT_EPOCH = U64_MAX

# Solana's rent: 3480 lamports per byte-year, exempt at two years, plus 128 bytes of
# account overhead. A 0-byte account needs 890,880 lamports, a token account 2,039,280.
LAMPORTS_PER_BYTE_YEAR = 3480
EXEMPTION_YEARS = 2
ACCOUNT_STORAGE_OVERHEAD = 128


def rent_exempt_minimum(data_len: int) -> int:
    """Lamports an account of `data_len` bytes must hold to be rent exempt."""
    return (ACCOUNT_STORAGE_OVERHEAD + data_len) * LAMPORTS_PER_BYTE_YEAR * EXEMPTION_YEARS


@dataclass(frozen=True, slots=True)
class Account:
    """One account as a validator stores it."""

    lamports: int
    owner: Pubkey
    data: bytes = b""
    executable: bool = False
    rent_epoch: int = RENT_EXEMPT_EPOCH

    @classmethod
    def rent_exempt(cls, owner: Pubkey, data: bytes, *, extra_lamports: int = 0, executable: bool = False) -> "Account":
        """An account funded with exactly its rent-exempt minimum (plus `extra_lamports`)."""
        return cls(rent_exempt_minimum(len(data)) + extra_lamports, owner, data, executable)
