"""Solana public keys as base58 text, validated without any Solana library.

Config and CLI arguments are checked here so that a typo is refused before any
client is loaded; the blockchain libraries stay in `drift/` and `keystore`.
"""

from rekt_tui.domain.errors import UsageError

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}


def b58decode(text: str) -> bytes:
    """Decode base58 (Bitcoin alphabet); raise ValueError on a foreign character."""
    number = 0
    for char in text:
        digit = _INDEX.get(char)
        if digit is None:
            raise ValueError(f"{char!r} is not a base58 character")
        number = number * 58 + digit
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    leading_zeros = len(text) - len(text.lstrip("1"))
    return b"\x00" * leading_zeros + body


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    chars = []
    while number:
        number, digit = divmod(number, 58)
        chars.append(_ALPHABET[digit])
    leading_zeros = len(data) - len(data.lstrip(b"\x00"))
    return "1" * leading_zeros + "".join(reversed(chars))


def is_pubkey(text: str) -> bool:
    try:
        return 32 <= len(text) <= 44 and len(b58decode(text)) == 32
    except ValueError:
        return False


def parse_pubkey(text: str, what: str = "public key") -> str:
    """Return `text` stripped if it is a 32-byte base58 key, else raise one clear sentence."""
    candidate = text.strip()
    if not is_pubkey(candidate):
        raise UsageError(
            f"{candidate!r} is not a valid {what}: expected 32 to 44 base58 characters "
            "encoding 32 bytes, like 'Hh7Ra…' as shown by a Solana wallet."
        )
    return candidate
