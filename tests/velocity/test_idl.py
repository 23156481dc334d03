"""The pinned interface file parses into the structures the codec relies on."""

import copy
import hashlib

import pytest

from rekt_tui.velocity.codec.idl import (
    PINNED_IDL_SHA256, ArrayOf, Defined, IdlError, OptionOf, Primitive, VecOf, parse_idl, pinned_idl_bytes,
)
from tests.velocity.conftest import anchor_discriminator

# From ../shared/velocity/SOURCE.md, stated there independently of this code.
SOURCE_SHA256 = "1e442130a3b408422024a08921567e7df818914403cd38fbc6b83cff25a406be"


def test_the_shipped_file_is_the_pinned_commit():
    assert PINNED_IDL_SHA256 == SOURCE_SHA256
    assert hashlib.sha256(pinned_idl_bytes()).hexdigest() == SOURCE_SHA256


def test_counts_and_program_match_the_source_notes(program):
    idl = program.idl
    assert idl.address == "vELoC1audYbSYVRXn1vPaV8Axoa9oU6BYmNGZZBDZ1P"
    assert (idl.name, idl.version) == ("velocity", "2.168.0")
    assert len(idl.instructions) == 281
    assert len(idl.accounts) == 27
    assert len(idl.types) == 181
    assert len(idl.events) == 29
    assert sorted(idl.errors) == list(range(6000, 6411))


def test_every_discriminator_is_anchors_sha256_prefix(program):
    idl = program.idl
    for name, instruction in idl.instructions.items():
        assert instruction.discriminator == anchor_discriminator("global", name), name
    for name, account in idl.accounts.items():
        assert account.discriminator == anchor_discriminator("account", name), name
    for name, event in idl.events.items():
        assert event.discriminator == anchor_discriminator("event", name), name


def test_order_params_types_are_parsed_as_the_pinned_file_states(program):
    fields = {f.name: f.type for f in program.idl.types["OrderParams"].fields}
    assert fields["oracle_price_offset"] == OptionOf(Primitive("i64"))
    assert fields["builder_idx"] == OptionOf(Primitive("u8"))
    assert fields["builder_fee_tenth_bps"] == OptionOf(Primitive("u16"))
    assert fields["order_type"] == Defined("OrderType")
    args = {f.name: f.type for f in program.idl.types["PlaceTriggerOrdersV1Args"].fields}
    assert args["params"] == VecOf(Defined("OrderParams"))
    user = {f.name: f.type for f in program.idl.types["User"].fields}
    assert user["orders"] == ArrayOf(Defined("Order"), 32)


def test_zero_copy_flags_follow_the_serialization_attribute(program):
    for name in ("State", "User", "UserStats", "PerpMarket", "SpotMarket", "Order", "PerpPosition"):
        assert program.idl.types[name].zero_copy, name
    assert not program.idl.types["OrderParams"].zero_copy
    assert not program.idl.types["OrderActionRecord"].zero_copy


def test_optional_and_fixed_accounts_are_parsed(program):
    take = {a.name: a for a in program.idl.instructions["place_and_take_perp_order_v1"].accounts}
    assert take["flow_authority"].optional and take["flow_authority"].signer
    assert take["clob_program"].address == "BPX47ur8TbgZQgtJcGJvdcQMMFbmBP7ZrhpiUmLuHKqU"
    assert take["clob_market"].writable and not take["clob_market"].signer


@pytest.mark.parametrize(
    ("mutate", "phrase"),
    [
        (lambda raw: raw["types"][0].__setitem__("generics", [{"kind": "type", "name": "T"}]), "generic"),
        (lambda raw: raw["types"][0]["type"].__setitem__("kind", "alias"), "kind 'alias'"),
        (lambda raw: raw["instructions"][0]["args"].append({"name": "x", "type": "u256"}), "unknown primitive"),
        (lambda raw: raw["instructions"][0]["args"].append({"name": "x", "type": "f64"}), "unknown primitive"),
        (lambda raw: raw["instructions"][0]["accounts"].append({"name": "g", "accounts": []}), "composite"),
        (lambda raw: raw.pop("metadata"), "not an Anchor 1.0"),
    ],
)
def test_shapes_beyond_the_codec_are_refused_in_one_sentence(raw_idl, mutate, phrase):
    raw = copy.deepcopy(raw_idl)
    mutate(raw)
    with pytest.raises(IdlError) as refused:
        parse_idl(raw)
    message = str(refused.value)
    assert phrase in message
    assert "\n" not in message and message.endswith(".")
