"""The relaunched program's bytes, through the product's own IDL-driven codec.

This is the one module of the localnet that imports the product (`rekt_tui.velocity.codec`,
solders-only and free of the product's other layers): the localnet's accounts, events and
instructions for the relaunch must be byte-for-byte what the adapter reads, and sharing the
codec over the pinned interface file is how that is guaranteed. Everything else in the
localnet's velocity modules goes through here.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from solders.pubkey import Pubkey

from rekt_tui.velocity.codec import trader_instructions
from rekt_tui.velocity.codec.binary import CodecError, EnumValue, Value
from rekt_tui.velocity.codec.idl import Defined
from rekt_tui.velocity.codec.order_params import OrderParams
from rekt_tui.velocity.codec.program import VelocityProgram

__all__ = [
    "CLOB_PROGRAM_ID", "VELOCITY_PROGRAM_ID", "CodecError", "EnumValue", "Value", "blank", "blank_event", "decode", "encode", "encode_event",
    "OrderParams", "program", "size", "trader_instructions",
]  # fmt: skip

VELOCITY_PROGRAM_ID = Pubkey.from_string("vELoC1audYbSYVRXn1vPaV8Axoa9oU6BYmNGZZBDZ1P")
# The order-book program the `_v1` order instructions name (`clob_program`).
CLOB_PROGRAM_ID = Pubkey.from_string("BPX47ur8TbgZQgtJcGJvdcQMMFbmBP7ZrhpiUmLuHKqU")


@cache
def program() -> VelocityProgram:
    return VelocityProgram.pinned(VELOCITY_PROGRAM_ID)


def size(name: str) -> int:
    """Bytes of a zero-copy account on chain, discriminator included."""
    value = program().accounts.size(name)
    assert value is not None, f"{name} is not zero-copy"
    return value


@cache
def _blank_bytes(name: str) -> bytes:
    named = program().idl.accounts[name]
    return named.discriminator + bytes(size(name) - len(named.discriminator))


def blank(name: str) -> dict[str, Any]:
    """A zero-copy account with every field zero (enums at their first variant), to fill in."""
    return program().accounts.decode(name, _blank_bytes(name))


def decode(name: str, data: bytes) -> dict[str, Any]:
    return program().accounts.decode(name, data)


def encode(name: str, value: dict[str, Value]) -> bytes:
    return program().accounts.encode(name, value)


@cache
def _blank_event(name: str) -> bytes:
    value, _ = program().codec.decode(Defined(name), bytes(8192), 0, False, name)
    return program().events.encode(name, value)  # type: ignore[arg-type]


def blank_event(name: str) -> dict[str, Any]:
    """An event with every field zero or None, to fill in."""
    event = program().events.decode(_blank_event(name))
    assert event is not None
    return event.fields


def encode_event(name: str, fields: dict[str, Value]) -> bytes:
    return program().events.encode(name, fields)
