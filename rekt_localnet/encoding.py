"""Drift account bytes through anchorpy's coder, the way the Drift program lays them out.

anchorpy's `Coder(idl).accounts` turns bytes into dataclasses and back, but it has no way
to make a fresh object. Decoding a zero-filled buffer that starts with the account's
discriminator gives a default object whose every field is zero; genesis then replaces
the fields it needs and builds the bytes, which come out exactly as large as the
program's accounts (so sizes agree with mainnet without a table of offsets).
"""

import copyreg
from functools import cache
from importlib import resources
from typing import Any

from anchorpy.coder.accounts import ACCOUNT_DISCRIMINATOR_SIZE, AccountToSerialize
from anchorpy.coder.coder import Coder
from anchorpy_core.idl import Idl
from solders.pubkey import Pubkey

# Sizes of Drift's accounts on mainnet, discriminator included.
ACCOUNT_SIZES = {
    "State": 992,
    "PerpMarket": 1216,
    "SpotMarket": 776,
    "User": 4376,
    "UserStats": 240,
    "PrelaunchOracle": 120,
}


def _pubkey_reducer(key: Pubkey) -> tuple[Any, tuple[bytes]]:
    return Pubkey.from_bytes, (bytes(key),)


# anchorpy's encoder deep-copies dataclasses (dataclasses.asdict), and solders' Pubkey
# cannot be deep-copied until it can be reduced to its bytes.
copyreg.pickle(Pubkey, _pubkey_reducer)


@cache
def drift_coder() -> Coder:
    """The coder for driftpy's own IDL, built once (it takes about 0.1 s)."""
    text = resources.files("driftpy").joinpath("idl/drift.json").read_text()
    return Coder(Idl.from_json(text))


def discriminator(account_name: str) -> bytes:
    """The 8 bytes that open every account of this type."""
    return drift_coder().accounts.acc_name_to_discriminator[account_name]


def default_account(account_name: str) -> Any:
    """A zero-valued object of this account type, ready for `dataclasses.replace`."""
    body = bytes(ACCOUNT_SIZES[account_name] - ACCOUNT_DISCRIMINATOR_SIZE)
    return drift_coder().accounts.decode(discriminator(account_name) + body)


def encode_account(account_name: str, value: Any) -> bytes:
    """Bytes of `value`, checked to be exactly the size the program allocates."""
    data = drift_coder().accounts.build(AccountToSerialize(value, account_name))
    if len(data) != ACCOUNT_SIZES[account_name]:
        raise ValueError(f"{account_name} encoded to {len(data)} bytes, expected {ACCOUNT_SIZES[account_name]}")
    return data


def decode_account(data: bytes) -> Any:
    """The object these bytes hold (any Drift account type)."""
    return drift_coder().accounts.decode(data)


def variant(current: Any, name: str) -> Any:
    """The variant `name` of the IDL enum that `current` (a decoded enum value) belongs to.

    Decoded enums are the IDL's own classes; taking the variant from the same enum keeps
    names and indexes as the IDL has them, whatever driftpy's hand-written classes say.
    """
    enum_class = type(current).__mro__[1]
    return getattr(enum_class, name)()


def padded_name(text: str) -> list[int]:
    """A 32-byte name as Drift stores it: UTF-8, padded with spaces."""
    raw = text.encode()
    if len(raw) > 32:
        raise ValueError(f"name {text!r} is longer than 32 bytes")
    return list(raw.ljust(32, b" "))
