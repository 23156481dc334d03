"""Instructions by name: discriminator, borsh arguments and account metas in the IDL's order.

Anchor 1.0 marks an absent optional account by passing the program's own id in its slot, so the
slot is always present and the following accounts keep their positions.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey

from rekt_tui.velocity.codec.binary import Codec, CodecError, Value

DISCRIMINATOR_BYTES = 8


class InstructionCodec:
    """Encodes and decodes the program's instructions."""

    def __init__(self, codec: Codec, program_id: Pubkey) -> None:
        self.codec = codec
        self.program_id = program_id
        self._by_discriminator = {i.discriminator: i for i in codec.idl.instructions.values()}

    def data(self, name: str, args: Mapping[str, Value]) -> bytes:
        instruction = self.codec.idl.instructions.get(name)
        if instruction is None:
            raise CodecError(f"The program has no instruction {name!r}.")
        expected = [a.name for a in instruction.args]
        if sorted(args) != sorted(expected):
            raise CodecError(f"{name} takes arguments {expected}, not {sorted(args)}.")
        body = b"".join(
            self.codec.encode(a.type, args[a.name], False, f"{name}.{a.name}") for a in instruction.args
        )
        return instruction.discriminator + body

    def metas(self, name: str, accounts: Mapping[str, Pubkey | None]) -> list[AccountMeta]:
        instruction = self.codec.idl.instructions.get(name)
        if instruction is None:
            raise CodecError(f"The program has no instruction {name!r}.")
        known = {a.name for a in instruction.accounts}
        unknown = sorted(set(accounts) - known)
        if unknown:
            raise CodecError(f"{name} has no account named {', '.join(unknown)}.")
        metas: list[AccountMeta] = []
        for item in instruction.accounts:
            given = accounts.get(item.name)
            if item.address is not None:
                fixed = Pubkey.from_string(item.address)
                if given is not None and given != fixed:
                    raise CodecError(f"{name}'s {item.name} must be {fixed}, not {given}.")
                metas.append(AccountMeta(fixed, item.signer, item.writable))
            elif given is not None:
                metas.append(AccountMeta(given, item.signer, item.writable))
            elif item.optional:
                metas.append(AccountMeta(self.program_id, False, False))
            else:
                raise CodecError(f"{name} needs the {item.name} account.")
        return metas

    def build(
        self,
        name: str,
        args: Mapping[str, Value],
        accounts: Mapping[str, Pubkey | None],
        remaining: Sequence[AccountMeta] = (),
    ) -> Instruction:
        """The instruction, with `remaining` appended after the IDL's accounts."""
        metas = self.metas(name, accounts) + list(remaining)
        return Instruction(self.program_id, self.data(name, args), metas)

    def decode_data(self, data: bytes) -> tuple[str, dict[str, Value]]:
        """The instruction's name and arguments; every byte must be accounted for."""
        instruction = self._by_discriminator.get(bytes(data[:DISCRIMINATOR_BYTES]))
        if instruction is None:
            raise CodecError(f"The data starts with {bytes(data[:8]).hex()}, which is no instruction of the program.")
        args: dict[str, Value] = {}
        offset = DISCRIMINATOR_BYTES
        for arg in instruction.args:
            args[arg.name], offset = self.codec.decode(arg.type, bytes(data), offset, False, f"{instruction.name}.{arg.name}")
        if offset != len(data):
            raise CodecError(f"{instruction.name} has {len(data) - offset} bytes beyond its arguments.")
        return instruction.name, args
