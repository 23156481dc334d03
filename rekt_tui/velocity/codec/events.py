"""Events the program emits as `Program data: <base64>` log lines (Anchor's `emit!`).

Only lines written while this program is the one executing are read: the order-book program it
calls logs its own events in the same transaction, and their discriminators are not ours.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Sequence

from solders.pubkey import Pubkey

from rekt_tui.velocity.codec.binary import Codec, CodecError, Value
from rekt_tui.velocity.codec.idl import Defined

DISCRIMINATOR_BYTES = 8
_INVOKE = re.compile(r"^Program (\w+) invoke \[\d+\]$")
_EXIT = re.compile(r"^Program (\w+) (success|failed.*)$")
_DATA = "Program data: "


@dataclass(frozen=True)
class Event:
    name: str
    fields: dict[str, Value]


class EventCodec:
    """Decodes (and, for the localnet and tests, encodes) the program's events."""

    def __init__(self, codec: Codec, program_id: Pubkey) -> None:
        self.codec = codec
        self.program_id = str(program_id)
        self._by_discriminator = {e.discriminator: e for e in codec.idl.events.values()}

    def encode(self, name: str, fields: dict[str, Value]) -> bytes:
        named = self.codec.idl.events.get(name)
        if named is None:
            raise CodecError(f"The program has no event {name!r}.")
        return named.discriminator + self.codec.encode(Defined(name), fields, False, name)

    def decode(self, data: bytes) -> Event | None:
        """The event in `data`, or None when the discriminator is not one of ours."""
        named = self._by_discriminator.get(bytes(data[:DISCRIMINATOR_BYTES]))
        if named is None:
            return None
        value, end = self.codec.decode(Defined(named.name), bytes(data), DISCRIMINATOR_BYTES, False, named.name)
        if end != len(data) or not isinstance(value, dict):
            raise CodecError(f"The {named.name} event has {len(data) - end} bytes beyond its fields.")
        return Event(named.name, value)

    def from_logs(self, logs: Sequence[str]) -> list[Event]:
        """Every event this program emitted in a transaction's logs, in order."""
        stack: list[str] = []
        events: list[Event] = []
        for line in logs:
            if (invoke := _INVOKE.match(line)) is not None:
                stack.append(invoke.group(1))
            elif _EXIT.match(line) is not None and stack:
                stack.pop()
            elif line.startswith(_DATA) and stack and stack[-1] == self.program_id:
                for chunk in line[len(_DATA):].split():
                    try:
                        raw = base64.b64decode(chunk, validate=True)
                    except binascii.Error:
                        raise CodecError("A `Program data:` log line is not base64.") from None
                    event = self.decode(raw)
                    if event is not None:
                        events.append(event)
        return events
