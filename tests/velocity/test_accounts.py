"""Account layouts: sizes and offsets from the facts file, round trips, malformed bytes."""

import copy
import struct

import pytest
from solders.pubkey import Pubkey

from rekt_tui.velocity.codec.accounts import MalformedAccount
from rekt_tui.velocity.codec.binary import Codec, CodecError
from rekt_tui.velocity.codec.idl import Defined, parse_idl
from tests.velocity.conftest import anchor_discriminator
from tests.velocity.sample_values import sample_struct

# ../shared/docs/VELOCITY.md: bytes on chain, discriminator included.
FACT_SIZES = {"User": 4496, "UserStats": 240, "PerpMarket": 1560, "SpotMarket": 1064, "State": 1752}
TRADER_ACCOUNTS = sorted(FACT_SIZES)


@pytest.mark.parametrize("name", TRADER_ACCOUNTS)
def test_account_sizes_match_the_facts_file(program, name):
    assert program.accounts.size(name) == FACT_SIZES[name]


def test_offsets_match_the_facts_file(program):
    assert program.accounts.field_offset("User", "orders") == 1064
    assert program.accounts.field_offset("UserStats", "referrer_status") == 164
    assert program.accounts.field_offset("UserStats", "referrer") == 40
    assert program.codec.layout("Order").size == 104
    assert program.codec.layout("PerpPosition").size == 80


@pytest.mark.parametrize("name", TRADER_ACCOUNTS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_accounts_round_trip(program, name, seed):
    value = sample_struct(program.codec, name, seed)
    data = program.accounts.encode(name, value)
    assert len(data) == FACT_SIZES[name]
    assert data[:8] == anchor_discriminator("account", name)
    assert program.accounts.decode(name, data) == value
    assert program.accounts.identify(data) == name


@pytest.mark.parametrize("name", ["Order", "PerpPosition", "SpotPosition"])
def test_order_related_types_round_trip_in_their_zero_copy_image(program, name):
    value = sample_struct(program.codec, name, 7)
    data = program.codec.encode(Defined(name), value, True, name)
    assert len(data) == program.codec.layout(name).size
    assert program.codec.decode(Defined(name), data, 0, True, name) == (value, len(data))


def test_a_users_second_order_lands_where_the_facts_file_puts_it(program):
    user = sample_struct(program.codec, "User", 11)
    authority = Pubkey.from_string("vELoC1audYbSYVRXn1vPaV8Axoa9oU6BYmNGZZBDZ1P")
    user["authority"] = authority
    orders = copy.deepcopy(user["orders"])
    orders[1].update(price=123_456_789, base_asset_amount=5 * 10**9, oracle_price_offset=-(2**40), status="Open")
    user["orders"] = orders
    data = program.accounts.encode("User", user)
    second = 1064 + 104  # User.orders at 1064, 104 bytes per Order
    assert data[8:40] == bytes(authority)
    # Order: slot u64, price u64, base_asset_amount u64 ... oracle_price_offset i64 at 72, status at 86.
    assert struct.unpack_from("<QQ", data, second + 8) == (123_456_789, 5 * 10**9)
    assert struct.unpack_from("<q", data, second + 72) == (-(2**40),)
    assert data[second + 86] == 1  # OrderStatus::Open


def test_referrer_status_is_read_at_164(program):
    stats = sample_struct(program.codec, "UserStats", 5)
    data = bytearray(program.accounts.encode("UserStats", stats))
    data[164] = 0b101
    assert program.accounts.decode("UserStats", bytes(data))["referrer_status"] == 0b101


def _one_sentence(error: Exception) -> str:
    message = str(error)
    assert "\n" not in message and message.endswith(".")
    return message


def test_a_wrong_discriminator_is_one_clear_error(program):
    stats = program.accounts.encode("UserStats", sample_struct(program.codec, "UserStats", 1))
    with pytest.raises(MalformedAccount) as refused:
        program.accounts.decode("User", stats + bytes(4496 - 240))
    assert "not a User account" in _one_sentence(refused.value)


def test_a_short_buffer_is_one_clear_error(program):
    data = program.accounts.encode("User", sample_struct(program.codec, "User", 1))
    for cut in (data[:4], data[:-1], b""):
        with pytest.raises(MalformedAccount) as refused:
            program.accounts.decode("User", cut)
        _one_sentence(refused.value)
    with pytest.raises(MalformedAccount) as refused:
        program.accounts.decode("User", data[:-8])
    assert "4488 bytes, not the 4496" in _one_sentence(refused.value)


def test_a_longer_account_is_refused_not_truncated(program):
    data = program.accounts.encode("PerpMarket", sample_struct(program.codec, "PerpMarket", 1))
    with pytest.raises(MalformedAccount):
        program.accounts.decode("PerpMarket", data + bytes(8))


def test_an_invalid_enum_or_bool_byte_is_one_clear_error(program):
    data = bytearray(program.accounts.encode("User", sample_struct(program.codec, "User", 1)))
    data[1064 + 86] = 9  # orders[0].status: OrderStatus has four variants
    with pytest.raises(MalformedAccount) as refused:
        program.accounts.decode("User", bytes(data))
    assert "User.orders[0].status" in _one_sentence(refused.value)


def test_unknown_bytes_are_identified_as_no_account(program):
    with pytest.raises(MalformedAccount):
        program.accounts.identify(bytes(16))


def _tiny_idl(serialization: str | None) -> Codec:
    """A struct whose repr(C) image has implicit padding, which the pinned accounts avoid."""
    definition: dict = {
        "name": "Padded",
        "type": {"kind": "struct", "fields": [
            {"name": "a", "type": "u8"}, {"name": "b", "type": "u64"}, {"name": "c", "type": "u16"},
            {"name": "d", "type": "u128"}, {"name": "e", "type": {"array": ["u32", 3]}},
        ]},
    }
    if serialization:
        definition.update(serialization=serialization, repr={"kind": "c"})
    raw = {
        "address": "11111111111111111111111111111111",
        "metadata": {"name": "t", "version": "0", "spec": "0.1.0"},
        "instructions": [], "accounts": [{"name": "Padded", "discriminator": [1] * 8}],
        "types": [definition],
    }
    return Codec(parse_idl(raw))


def test_zero_copy_layout_inserts_c_padding_and_borsh_does_not():
    value = {"a": 1, "b": 2, "c": 3, "d": 4, "e": [5, 6, 7]}
    zero_copy = _tiny_idl("bytemuckunsafe")
    layout = zero_copy.layout("Padded")
    # repr(C) on SBF: u8 @0, u64 @8, u16 @16, u128 (align 8) @24, [u32; 3] @40, size 52 -> 56.
    assert [offset for _, _, offset in layout.offsets] == [0, 8, 16, 24, 40]
    assert (layout.size, layout.align) == (56, 8)
    image = zero_copy.encode(Defined("Padded"), value, True, "Padded")
    assert image == (
        b"\x01" + bytes(7) + struct.pack("<QH", 2, 3) + bytes(6) + (4).to_bytes(16, "little")
        + struct.pack("<III", 5, 6, 7) + bytes(4)
    )
    assert zero_copy.decode(Defined("Padded"), image, 0, True, "Padded") == (value, 56)
    packed = _tiny_idl(None).encode(Defined("Padded"), value, False, "Padded")
    assert len(packed) == 1 + 8 + 2 + 16 + 12


def test_no_pinned_zero_copy_layout_relies_on_implicit_padding(program):
    """So the one judgment call, 128-bit alignment on SBF (8, not 16), moves no pinned offset;
    a newer interface file that needs implicit padding fails here and gets a second look."""
    zero_copy = [t for t in program.idl.types.values() if t.zero_copy]
    assert len(zero_copy) > 40
    for definition in zero_copy:
        layout = program.codec.layout(definition.name)
        packed = sum(program.codec.size_align(field_type)[0] for _, field_type, _ in layout.offsets)
        assert layout.size == packed, definition.name


def test_a_value_that_does_not_fit_is_one_clear_error(program):
    user = sample_struct(program.codec, "User", 1)
    user["sub_account_id"] = 70_000
    with pytest.raises(CodecError) as refused:
        program.accounts.encode("User", user)
    assert "User.sub_account_id = 70000 does not fit in a u16" in _one_sentence(refused.value)
