"""One deployment of the relaunched program: its interface, address and codecs together."""

from __future__ import annotations

from solders.pubkey import Pubkey

from rekt_tui.velocity.codec.accounts import AccountCodec
from rekt_tui.velocity.codec.binary import Codec
from rekt_tui.velocity.codec.errors import ErrorTable
from rekt_tui.velocity.codec.events import EventCodec
from rekt_tui.velocity.codec.idl import Idl, pinned_idl
from rekt_tui.velocity.codec.instructions import InstructionCodec
from rekt_tui.velocity.codec.pdas import Pdas


class VelocityProgram:
    """Everything needed to read and write one deployment's accounts, instructions and logs.

    The program id defaults to the IDL's; a localnet may deploy the same program elsewhere.
    """

    def __init__(self, idl: Idl, program_id: Pubkey | None = None) -> None:
        self.idl = idl
        self.program_id = program_id if program_id is not None else Pubkey.from_string(idl.address)
        self.codec = Codec(idl)
        self.accounts = AccountCodec(self.codec)
        self.instructions = InstructionCodec(self.codec, self.program_id)
        self.events = EventCodec(self.codec, self.program_id)
        self.errors = ErrorTable(idl)
        self.pdas = Pdas(self.program_id)

    @classmethod
    def pinned(cls, program_id: Pubkey | None = None) -> VelocityProgram:
        """The program as described by the interface file this adapter ships."""
        return cls(pinned_idl(), program_id)
