"""Program accounts: discriminator, size and body checked before any field is believed.

A zero-copy account must be exactly its layout's size: a longer one is a newer layout whose
extra fields we would silently ignore, a shorter one is not the account we think it is.
"""

from __future__ import annotations

from rekt_tui.velocity.codec.binary import Codec, CodecError, StructLayout, Value
from rekt_tui.velocity.codec.idl import ArrayOf, Defined, IdlType, Named

DISCRIMINATOR_BYTES = 8


class MalformedAccount(CodecError):
    """The bytes are not the named account in the layout this client was built for."""


class AccountCodec:
    """Decodes and encodes the accounts an interface file declares."""

    def __init__(self, codec: Codec) -> None:
        self.codec = codec
        self._by_discriminator = {a.discriminator: a for a in codec.idl.accounts.values()}

    def _named(self, name: str) -> Named:
        try:
            return self.codec.idl.accounts[name]
        except KeyError:
            raise MalformedAccount(f"The program has no account type {name!r}.") from None

    def is_zero_copy(self, name: str) -> bool:
        return self.codec.idl.type_def(self._named(name).name).zero_copy

    def size(self, name: str) -> int | None:
        """Bytes on chain including the discriminator, or None when borsh makes it variable."""
        if not self.is_zero_copy(name):
            return None
        return DISCRIMINATOR_BYTES + self.codec.layout(name).size

    def field_offset(self, name: str, dotted: str) -> int:
        """Byte offset on chain (discriminator included) of a field path like `orders` or
        `fees.total_fee_paid`; for memcmp filters and the compatibility guard."""
        if not self.is_zero_copy(name):
            raise MalformedAccount(f"{name} is borsh-encoded: its fields have no fixed offsets.")
        offset, layout = DISCRIMINATOR_BYTES, self.codec.layout(name)
        parts = dotted.split(".")
        for depth, part in enumerate(parts):
            offset += layout.offset_of(part)
            field_type = _field_type(layout, part)
            if depth + 1 < len(parts):
                if not isinstance(field_type, Defined):
                    raise MalformedAccount(f"{name}.{dotted}: {part} has no fields.")
                layout = self.codec.layout(field_type.name)
        return offset

    def identify(self, data: bytes) -> str:
        """The account type named by the data's discriminator."""
        named = self._by_discriminator.get(bytes(data[:DISCRIMINATOR_BYTES]))
        if named is None:
            raise MalformedAccount(
                f"The account's first bytes {bytes(data[:DISCRIMINATOR_BYTES]).hex()} match no account of the program."
            )
        return named.name

    def decode(self, name: str, data: bytes) -> dict[str, Value]:
        named = self._named(name)
        head = bytes(data[:DISCRIMINATOR_BYTES])
        if head != named.discriminator:
            raise MalformedAccount(
                f"This is not a {name} account: it starts with {head.hex() or 'nothing'},"
                f" not {named.discriminator.hex()}."
            )
        expected = self.size(name)
        if expected is not None and len(data) != expected:
            raise MalformedAccount(
                f"The {name} account is {len(data)} bytes, not the {expected} of the layout this client was built for."
            )
        try:
            value, end = self.codec.decode(
                Defined(name), bytes(data), DISCRIMINATOR_BYTES, self.is_zero_copy(name), name
            )
        except CodecError as error:
            raise MalformedAccount(f"The {name} account does not decode: {error}") from None
        if not isinstance(value, dict):  # an account type is always a struct
            raise MalformedAccount(f"The program's {name} is not a struct.")
        return value

    def encode(self, name: str, value: dict[str, Value]) -> bytes:
        """The account's bytes, discriminator first (the localnet's genesis and our tests)."""
        named = self._named(name)
        return named.discriminator + self.codec.encode(Defined(name), value, self.is_zero_copy(name), name)


def _field_type(layout: StructLayout, name: str) -> IdlType:
    for field, field_type, _ in layout.offsets:
        if field == name:
            return field_type.item if isinstance(field_type, ArrayOf) else field_type
    raise MalformedAccount(f"The layout has no field {name!r}.")
