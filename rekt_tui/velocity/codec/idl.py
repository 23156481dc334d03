"""The program's Anchor 1.0 interface file, parsed into typed, immutable structures.

Only the shapes the pinned file uses are accepted; anything else (generics, composite account
groups, unknown type kinds) is refused with one sentence rather than guessed at, so a newer IDL
that needs more of the format fails loudly when it is adopted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal, Mapping

# No f32/f64: the pinned file has none, and a float near money should fail loudly on adoption.
PRIMITIVES = frozenset(
    {"u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "u128", "i128", "bool", "pubkey", "string", "bytes"}
)
# Anchor 1.0 `serialization` values that mean "the bytes are the repr(C) memory image".
ZERO_COPY_SERIALIZATIONS = frozenset({"bytemuck", "bytemuckunsafe"})

# The file shipped beside this module, and its sha256 as pinned (see pinned/PROVENANCE.md).
PINNED_IDL_FILE = "velocity.json"
PINNED_IDL_SHA256 = "1e442130a3b408422024a08921567e7df818914403cd38fbc6b83cff25a406be"
PINNED_IDL_COMMIT = "18614cefed4474b7629d5d39de18da8b933c5e32"


class IdlError(ValueError):
    """The interface file has a shape this codec does not understand."""


@dataclass(frozen=True)
class Primitive:
    name: str


@dataclass(frozen=True)
class ArrayOf:
    item: IdlType
    length: int


@dataclass(frozen=True)
class VecOf:
    item: IdlType


@dataclass(frozen=True)
class OptionOf:
    item: IdlType


@dataclass(frozen=True)
class Defined:
    name: str


IdlType = Primitive | ArrayOf | VecOf | OptionOf | Defined


@dataclass(frozen=True)
class Field:
    name: str
    type: IdlType


@dataclass(frozen=True)
class Variant:
    name: str
    fields: tuple[Field, ...]  # empty for a unit variant


@dataclass(frozen=True)
class TypeDef:
    name: str
    kind: Literal["struct", "enum"]
    fields: tuple[Field, ...]
    variants: tuple[Variant, ...]
    serialization: str
    repr_kind: str | None

    @property
    def zero_copy(self) -> bool:
        return self.serialization in ZERO_COPY_SERIALIZATIONS


@dataclass(frozen=True)
class Seed:
    kind: Literal["const", "arg", "account"]
    value: bytes  # const seeds only
    path: str  # arg and account seeds only


@dataclass(frozen=True)
class Pda:
    seeds: tuple[Seed, ...]
    foreign_program: bool  # derived under another program: not checked here


@dataclass(frozen=True)
class AccountItem:
    name: str
    writable: bool
    signer: bool
    optional: bool
    address: str | None
    pda: Pda | None


@dataclass(frozen=True)
class Instruction:
    name: str
    discriminator: bytes
    accounts: tuple[AccountItem, ...]
    args: tuple[Field, ...]


@dataclass(frozen=True)
class Named:
    """An account or event: a type name with the discriminator that precedes its bytes."""

    name: str
    discriminator: bytes


@dataclass(frozen=True)
class ErrorDef:
    code: int
    name: str
    msg: str


@dataclass(frozen=True)
class Idl:
    address: str
    name: str
    version: str
    instructions: Mapping[str, Instruction]
    accounts: Mapping[str, Named]
    events: Mapping[str, Named]
    errors: Mapping[int, ErrorDef]
    types: Mapping[str, TypeDef]

    def type_def(self, name: str) -> TypeDef:
        try:
            return self.types[name]
        except KeyError:
            raise IdlError(f"The interface file defines no type {name!r}.") from None


def parse_type(raw: Any) -> IdlType:
    if isinstance(raw, str):
        if raw not in PRIMITIVES:
            raise IdlError(f"The interface file uses an unknown primitive type {raw!r}.")
        return Primitive(raw)
    if isinstance(raw, dict) and len(raw) == 1:
        ((kind, inner),) = raw.items()
        if kind == "array" and isinstance(inner, list) and len(inner) == 2 and isinstance(inner[1], int):
            return ArrayOf(parse_type(inner[0]), inner[1])
        if kind == "vec":
            return VecOf(parse_type(inner))
        if kind == "option":
            return OptionOf(parse_type(inner))
        if kind == "defined" and isinstance(inner, dict) and set(inner) == {"name"}:
            return Defined(str(inner["name"]))
    raise IdlError(f"The interface file uses a type this codec does not support: {raw!r}.")


def _fields(raw: Any, owner: str) -> tuple[Field, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise IdlError(f"The fields of {owner} are not a list.")
    out: list[Field] = []
    for index, item in enumerate(raw):
        if isinstance(item, dict) and "name" in item:
            out.append(Field(str(item["name"]), parse_type(item["type"])))
        else:  # a tuple field: named by its position
            out.append(Field(str(index), parse_type(item)))
    return tuple(out)


def _type_def(raw: dict[str, Any]) -> TypeDef:
    name = str(raw["name"])
    if raw.get("generics"):
        raise IdlError(f"The type {name} is generic; this codec does not support generics.")
    body = raw["type"]
    kind = body.get("kind")
    repr_raw = raw.get("repr")
    repr_kind = str(repr_raw["kind"]) if isinstance(repr_raw, dict) else None
    serialization = str(raw.get("serialization", "borsh"))
    if kind == "struct":
        return TypeDef(name, "struct", _fields(body.get("fields"), name), (), serialization, repr_kind)
    if kind == "enum":
        variants = tuple(
            Variant(str(v["name"]), _fields(v.get("fields"), f"{name}::{v['name']}"))
            for v in body["variants"]
        )
        return TypeDef(name, "enum", (), variants, serialization, repr_kind)
    raise IdlError(f"The type {name} has kind {kind!r}, which this codec does not support.")


def _seed(raw: dict[str, Any]) -> Seed:
    kind = raw.get("kind")
    if kind == "const":
        return Seed("const", bytes(raw["value"]), "")
    if kind in ("arg", "account"):
        return Seed(kind, b"", str(raw["path"]))
    raise IdlError(f"The interface file has a PDA seed of kind {kind!r}.")


def _account_item(raw: dict[str, Any], instruction: str) -> AccountItem:
    if "accounts" in raw:
        raise IdlError(f"{instruction} has a composite account group; this codec does not support it.")
    pda_raw = raw.get("pda")
    pda = None
    if isinstance(pda_raw, dict):
        pda = Pda(tuple(_seed(s) for s in pda_raw["seeds"]), "program" in pda_raw)
    return AccountItem(
        name=str(raw["name"]),
        writable=bool(raw.get("writable", False)),
        signer=bool(raw.get("signer", False)),
        optional=bool(raw.get("optional", False)),
        address=str(raw["address"]) if "address" in raw else None,
        pda=pda,
    )


def _discriminator(raw: Any, owner: str) -> bytes:
    if not isinstance(raw, list) or not raw:
        raise IdlError(f"{owner} has no discriminator.")
    return bytes(raw)


def parse_idl(raw: dict[str, Any]) -> Idl:
    """Turn the decoded JSON of an Anchor 1.0 IDL into an `Idl`."""
    metadata = raw.get("metadata")
    if not isinstance(metadata, dict) or "spec" not in metadata or "address" not in raw:
        raise IdlError("This is not an Anchor 1.0 interface file (no address or metadata.spec).")
    types = {t.name: t for t in (_type_def(t) for t in raw.get("types", []))}
    instructions = {
        str(i["name"]): Instruction(
            name=str(i["name"]),
            discriminator=_discriminator(i.get("discriminator"), str(i["name"])),
            accounts=tuple(_account_item(a, str(i["name"])) for a in i.get("accounts", [])),
            args=_fields(i.get("args", []), str(i["name"])),
        )
        for i in raw.get("instructions", [])
    }
    accounts = {
        str(a["name"]): Named(str(a["name"]), _discriminator(a.get("discriminator"), str(a["name"])))
        for a in raw.get("accounts", [])
    }
    events = {
        str(e["name"]): Named(str(e["name"]), _discriminator(e.get("discriminator"), str(e["name"])))
        for e in raw.get("events", [])
    }
    errors = {
        int(e["code"]): ErrorDef(int(e["code"]), str(e["name"]), str(e.get("msg", "")))
        for e in raw.get("errors", [])
    }
    for named in (*accounts.values(), *events.values()):
        if named.name not in types:
            raise IdlError(f"The interface file names {named.name} but does not define its type.")
    return Idl(
        address=str(raw["address"]),
        name=str(metadata.get("name", "")),
        version=str(metadata.get("version", "")),
        instructions=instructions,
        accounts=accounts,
        events=events,
        errors=errors,
        types=types,
    )


def pinned_idl_bytes() -> bytes:
    return resources.files("rekt_tui.velocity.codec").joinpath("pinned", PINNED_IDL_FILE).read_bytes()


@cache
def pinned_idl() -> Idl:
    """The interface this adapter was built for; refuses a file that is not the pinned one."""
    data = pinned_idl_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != PINNED_IDL_SHA256:
        raise IdlError(f"The shipped interface file has sha256 {digest}, not the pinned {PINNED_IDL_SHA256}.")
    return parse_idl(json.loads(data))
