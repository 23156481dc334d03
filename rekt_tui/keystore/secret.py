"""How a session keypair is written as a keyring secret, and checked when read.

The secret is the base58 text of the 64-byte keypair (seed then pubkey), the
form `solders` prints and Solana wallets import. Parsing checks that the pubkey
half really belongs to the seed half, so a damaged or swapped entry is caught
instead of signing with a key whose address nobody funded.
"""

from solders.keypair import Keypair

from rekt_tui.domain.pubkey import b58decode

KEYPAIR_LENGTH = 64


def keypair_to_secret(keypair: Keypair) -> str:
    return str(keypair)


def keypair_from_bytes(raw: bytes) -> Keypair:
    """Build a keypair from 64 bytes; ValueError (without the bytes) when they disagree."""
    if len(raw) != KEYPAIR_LENGTH:
        raise ValueError(f"a keypair is {KEYPAIR_LENGTH} bytes, not {len(raw)}")
    try:
        return Keypair.from_bytes(raw)
    except ValueError:
        raise ValueError("the pubkey half does not belong to the secret half") from None


def keypair_from_secret(text: str) -> Keypair:
    """Parse a stored secret; ValueError (without the text) when it is not a keypair."""
    try:
        raw = b58decode(text)
    except ValueError:
        raise ValueError("the secret is not base58 text") from None
    return keypair_from_bytes(raw)
