"""Random but valid values for any type of an interface file, to drive round trips."""

from __future__ import annotations

import random

from solders.pubkey import Pubkey

from rekt_tui.velocity.codec.binary import Codec, EnumValue, Value
from rekt_tui.velocity.codec.idl import ArrayOf, Defined, IdlType, OptionOf, Primitive, VecOf

_BITS = {"u8": 8, "u16": 16, "u32": 32, "u64": 64, "u128": 128, "i8": 8, "i16": 16, "i32": 32, "i64": 64, "i128": 128}


def sample(codec: Codec, ty: IdlType, rng: random.Random) -> Value:
    if isinstance(ty, Primitive):
        if ty.name in _BITS:
            bits = _BITS[ty.name]
            if ty.name.startswith("u"):
                return rng.choice([0, 2**bits - 1, rng.randrange(2**bits)])
            return rng.choice([-(2 ** (bits - 1)), 2 ** (bits - 1) - 1, rng.randrange(-(2 ** (bits - 1)), 2 ** (bits - 1))])
        if ty.name == "bool":
            return rng.random() < 0.5
        if ty.name == "pubkey":
            return Pubkey.from_bytes(rng.randbytes(32))
        if ty.name == "string":
            return "".join(rng.choice("abcé€") for _ in range(rng.randrange(6)))
        if ty.name == "bytes":
            return rng.randbytes(rng.randrange(6))
        raise AssertionError(ty)
    if isinstance(ty, ArrayOf):
        if ty.item == Primitive("u8"):
            return rng.randbytes(ty.length)
        return [sample(codec, ty.item, rng) for _ in range(ty.length)]
    if isinstance(ty, OptionOf):
        return None if rng.random() < 0.3 else sample(codec, ty.item, rng)
    if isinstance(ty, VecOf):
        return [sample(codec, ty.item, rng) for _ in range(rng.randrange(3))]
    definition = codec.idl.type_def(ty.name)
    if definition.kind == "enum":
        variant = rng.choice(definition.variants)
        if not variant.fields:
            return variant.name
        return EnumValue(variant.name, {f.name: sample(codec, f.type, rng) for f in variant.fields})
    return {f.name: sample(codec, f.type, rng) for f in definition.fields}


def sample_struct(codec: Codec, name: str, seed: int) -> dict[str, Value]:
    value = sample(codec, Defined(name), random.Random(seed))
    assert isinstance(value, dict)
    return value
