"""Bytes <-> values for any type in the interface file, in its two encodings.

- **borsh** (instruction arguments, events, borsh accounts): fields back to back, little-endian,
  `Option` as a 0/1 tag, `Vec`/`String`/`bytes` behind a u32 length, enums as a u8 tag.
- **zero-copy** (`serialization: bytemuck*`, `repr: c` accounts): the Rust `repr(C)` memory image
  on Solana's SBF target: every field at the next multiple of its alignment, the struct padded to
  its own alignment; 128-bit integers align to 8 there, a pubkey to 1, a unit enum is one byte.

Our own small reader/writer rather than borsh-construct: construct has no repr(C) alignment, and
a failure here must name the field it stopped at in one sentence, not a parser trace.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Union

from solders.pubkey import Pubkey

from rekt_tui.velocity.codec.idl import ArrayOf, Defined, Field, Idl, IdlType, OptionOf, Primitive, TypeDef, VecOf


@dataclass(frozen=True)
class EnumValue:
    """An enum variant that carries fields (unit variants decode to their name, a `str`)."""

    variant: str
    fields: dict[str, Value]


Value = Union[int, bool, bytes, str, Pubkey, None, list["Value"], dict[str, "Value"], EnumValue]


class CodecError(ValueError):
    """Bytes or a value do not fit the interface file's layout; the message is one sentence."""


_FIXED: dict[str, struct.Struct] = {
    name: struct.Struct(fmt)
    for name, fmt in {
        "u8": "<B", "i8": "<b", "u16": "<H", "i16": "<h", "u32": "<I", "i32": "<i",
        "u64": "<Q", "i64": "<q",
    }.items()
}
_WIDE = {"u128": False, "i128": True}
_SIZE = {**{n: s.size for n, s in _FIXED.items()}, "u128": 16, "i128": 16, "bool": 1, "pubkey": 32}
# Alignment on SBF: 128-bit integers align to 8; a pubkey is a [u8; 32].
_ALIGN = {**{n: s.size for n, s in _FIXED.items()}, "u128": 8, "i128": 8, "bool": 1, "pubkey": 1}
_U32 = _FIXED["u32"]


def _round_up(offset: int, align: int) -> int:
    return (offset + align - 1) // align * align


@dataclass(frozen=True)
class StructLayout:
    """Where each field of a zero-copy struct lives, and the struct's size and alignment."""

    offsets: tuple[tuple[str, IdlType, int], ...]
    size: int
    align: int

    def offset_of(self, name: str) -> int:
        for field, _, offset in self.offsets:
            if field == name:
                return offset
        raise CodecError(f"The layout has no field {name!r}.")


class Codec:
    """Encodes and decodes values of the types an `Idl` defines."""

    def __init__(self, idl: Idl) -> None:
        self.idl = idl
        self._layouts: dict[str, StructLayout] = {}

    # ---- zero-copy layout -------------------------------------------------------------
    def size_align(self, ty: IdlType) -> tuple[int, int]:
        """Size and alignment of a type in the repr(C) image."""
        if isinstance(ty, Primitive):
            if ty.name not in _SIZE:
                raise CodecError(f"A {ty.name} has no fixed size, so it cannot live in a zero-copy account.")
            return _SIZE[ty.name], _ALIGN[ty.name]
        if isinstance(ty, ArrayOf):
            size, align = self.size_align(ty.item)
            return size * ty.length, align
        if isinstance(ty, Defined):
            definition = self.idl.type_def(ty.name)
            if definition.kind == "enum":
                self._check_unit_enum(definition)
                return 1, 1
            layout = self.layout(ty.name)
            return layout.size, layout.align
        raise CodecError("An Option or Vec has no fixed size, so it cannot live in a zero-copy account.")

    def layout(self, name: str) -> StructLayout:
        """The repr(C) layout of a struct type, computed once."""
        if name not in self._layouts:
            definition = self.idl.type_def(name)
            if definition.kind != "struct":
                raise CodecError(f"{name} is an enum, not a struct.")
            offsets: list[tuple[str, IdlType, int]] = []
            offset, struct_align = 0, 1
            for field in definition.fields:
                size, align = self.size_align(field.type)
                offset = _round_up(offset, align)
                offsets.append((field.name, field.type, offset))
                offset += size
                struct_align = max(struct_align, align)
            self._layouts[name] = StructLayout(tuple(offsets), _round_up(offset, struct_align), struct_align)
        return self._layouts[name]

    @staticmethod
    def _check_unit_enum(definition: TypeDef) -> None:
        if any(v.fields for v in definition.variants) or len(definition.variants) > 256:
            raise CodecError(f"The enum {definition.name} is not a one-byte unit enum.")

    # ---- decoding -----------------------------------------------------------------------
    def decode(self, ty: IdlType, data: bytes, offset: int, zero_copy: bool, path: str) -> tuple[Value, int]:
        """The value at `offset` and the offset just past it."""
        if isinstance(ty, Primitive):
            return self._decode_primitive(ty.name, data, offset, path)
        if isinstance(ty, ArrayOf):
            if ty.item == Primitive("u8"):
                return bytes(self._take(data, offset, ty.length, path)), offset + ty.length
            items: list[Value] = []
            for index in range(ty.length):
                item, offset = self.decode(ty.item, data, offset, zero_copy, f"{path}[{index}]")
                items.append(item)
            return items, offset
        if isinstance(ty, OptionOf):
            tag = self._take(data, offset, 1, path)[0]
            if tag == 0:
                return None, offset + 1
            if tag != 1:
                raise CodecError(f"{path} has option tag {tag}, which is neither 0 nor 1.")
            return self.decode(ty.item, data, offset + 1, zero_copy, path)
        if isinstance(ty, VecOf):
            (length,) = _U32.unpack(self._take(data, offset, 4, path))
            offset += 4
            vec: list[Value] = []
            for index in range(length):
                item, offset = self.decode(ty.item, data, offset, zero_copy, f"{path}[{index}]")
                vec.append(item)
            return vec, offset
        return self._decode_defined(self.idl.type_def(ty.name), data, offset, zero_copy, path)

    def _decode_defined(
        self, definition: TypeDef, data: bytes, offset: int, zero_copy: bool, path: str
    ) -> tuple[Value, int]:
        if definition.kind == "enum":
            tag = self._take(data, offset, 1, path)[0]
            if tag >= len(definition.variants):
                raise CodecError(f"{path} has variant {tag}, but {definition.name} has {len(definition.variants)}.")
            variant = definition.variants[tag]
            offset += 1
            if not variant.fields:
                return variant.name, offset
            fields: dict[str, Value] = {}
            for field in variant.fields:
                fields[field.name], offset = self.decode(field.type, data, offset, zero_copy, f"{path}.{field.name}")
            return EnumValue(variant.name, fields), offset
        out: dict[str, Value] = {}
        if zero_copy:
            layout = self.layout(definition.name)
            self._take(data, offset, layout.size, path)
            for name, field_type, field_offset in layout.offsets:
                out[name], _ = self.decode(field_type, data, offset + field_offset, True, f"{path}.{name}")
            return out, offset + layout.size
        for field in definition.fields:
            out[field.name], offset = self.decode(field.type, data, offset, False, f"{path}.{field.name}")
        return out, offset

    def _decode_primitive(self, name: str, data: bytes, offset: int, path: str) -> tuple[Value, int]:
        fixed = _FIXED.get(name)
        if fixed is not None:
            return fixed.unpack(self._take(data, offset, fixed.size, path))[0], offset + fixed.size
        if name in _WIDE:
            raw = self._take(data, offset, 16, path)
            return int.from_bytes(raw, "little", signed=_WIDE[name]), offset + 16
        if name == "bool":
            byte = self._take(data, offset, 1, path)[0]
            if byte > 1:
                raise CodecError(f"{path} holds {byte}, which is not a bool.")
            return byte == 1, offset + 1
        if name == "pubkey":
            return Pubkey.from_bytes(bytes(self._take(data, offset, 32, path))), offset + 32
        (length,) = _U32.unpack(self._take(data, offset, 4, path))
        body = bytes(self._take(data, offset + 4, length, path))
        if name == "bytes":
            return body, offset + 4 + length
        try:
            return body.decode("utf-8"), offset + 4 + length
        except UnicodeDecodeError:
            raise CodecError(f"{path} is not valid UTF-8 text.") from None

    @staticmethod
    def _take(data: bytes, offset: int, length: int, path: str) -> memoryview:
        if offset + length > len(data):
            raise CodecError(f"The data ends at byte {len(data)}, before {path} (bytes {offset}..{offset + length}).")
        return memoryview(data)[offset : offset + length]

    # ---- encoding -----------------------------------------------------------------------
    def encode(self, ty: IdlType, value: Value, zero_copy: bool, path: str) -> bytes:
        out = bytearray()
        self._encode(ty, value, zero_copy, path, out)
        return bytes(out)

    def _encode(self, ty: IdlType, value: Value, zero_copy: bool, path: str, out: bytearray) -> None:
        if isinstance(ty, Primitive):
            out += self._encode_primitive(ty.name, value, path)
        elif isinstance(ty, ArrayOf):
            self._encode_array(ty, value, zero_copy, path, out)
        elif isinstance(ty, OptionOf):
            if value is None:
                out.append(0)
            else:
                out.append(1)
                self._encode(ty.item, value, zero_copy, path, out)
        elif isinstance(ty, VecOf):
            if not isinstance(value, list):
                raise CodecError(f"{path} must be a list.")
            out += _U32.pack(len(value))
            for index, item in enumerate(value):
                self._encode(ty.item, item, zero_copy, f"{path}[{index}]", out)
        else:
            self._encode_defined(self.idl.type_def(ty.name), value, zero_copy, path, out)

    def _encode_array(self, ty: ArrayOf, value: Value, zero_copy: bool, path: str, out: bytearray) -> None:
        if ty.item == Primitive("u8") and isinstance(value, bytes):
            if len(value) != ty.length:
                raise CodecError(f"{path} must be exactly {ty.length} bytes, not {len(value)}.")
            out += value
            return
        if not isinstance(value, list) or len(value) != ty.length:
            raise CodecError(f"{path} must be a list of exactly {ty.length} items.")
        for index, item in enumerate(value):
            self._encode(ty.item, item, zero_copy, f"{path}[{index}]", out)

    def _encode_defined(self, definition: TypeDef, value: Value, zero_copy: bool, path: str, out: bytearray) -> None:
        if definition.kind == "enum":
            name = value.variant if isinstance(value, EnumValue) else value
            names = [v.name for v in definition.variants]
            if not isinstance(name, str) or name not in names:
                raise CodecError(f"{path} must be one of {', '.join(names)}.")
            variant = definition.variants[names.index(name)]
            out.append(names.index(name))
            given = value.fields if isinstance(value, EnumValue) else {}
            self._encode_fields(variant.fields, given, zero_copy, path, out)
            return
        if not isinstance(value, dict):
            raise CodecError(f"{path} must be a mapping of {definition.name}'s fields.")
        if not zero_copy:
            self._encode_fields(definition.fields, value, False, path, out)
            return
        layout = self.layout(definition.name)
        self._check_fields(value, [name for name, _, _ in layout.offsets], path)
        start = len(out)
        for name, field_type, field_offset in layout.offsets:
            out += bytes(start + field_offset - len(out))  # implicit padding is zero
            self._encode(field_type, value[name], True, f"{path}.{name}", out)
        out += bytes(start + layout.size - len(out))

    def _encode_fields(
        self, fields: tuple[Field, ...], value: dict[str, Value], zero_copy: bool, path: str, out: bytearray
    ) -> None:
        self._check_fields(value, [f.name for f in fields], path)
        for field in fields:
            self._encode(field.type, value[field.name], zero_copy, f"{path}.{field.name}", out)

    @staticmethod
    def _check_fields(value: dict[str, Value], expected: list[str], path: str) -> None:
        missing = [n for n in expected if n not in value]
        extra = [n for n in value if n not in expected]
        if missing or extra:
            raise CodecError(f"{path} is missing {missing or 'nothing'} and has unknown {extra or 'nothing'}.")

    @staticmethod
    def _encode_primitive(name: str, value: Value, path: str) -> bytes:
        if name == "bool":
            if not isinstance(value, bool):
                raise CodecError(f"{path} must be a bool.")
            return b"\x01" if value else b"\x00"
        if name == "pubkey":
            if not isinstance(value, Pubkey):
                raise CodecError(f"{path} must be a public key.")
            return bytes(value)
        if name in ("string", "bytes"):
            raw = value.encode("utf-8") if name == "string" and isinstance(value, str) else value
            if not isinstance(raw, bytes):
                raise CodecError(f"{path} must be {'text' if name == 'string' else 'bytes'}.")
            return _U32.pack(len(raw)) + raw
        if not isinstance(value, int) or isinstance(value, bool):
            raise CodecError(f"{path} must be an integer.")
        try:
            if name in _WIDE:
                return value.to_bytes(16, "little", signed=_WIDE[name])
            return _FIXED[name].pack(value)
        except (OverflowError, struct.error):
            raise CodecError(f"{path} = {value} does not fit in a {name}.") from None
