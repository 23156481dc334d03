"""Base58 text for signatures, keys and instruction data, as Solana's JSON-RPC writes them."""

import base58


def b58encode(data: bytes) -> str:
    return base58.b58encode(data).decode("ascii")


def b58decode(text: str) -> bytes:
    """Raise ValueError on a character outside the alphabet."""
    return base58.b58decode(text)
