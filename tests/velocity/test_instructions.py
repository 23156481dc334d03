"""The trader's instructions: bytes, account metas in IDL order, round trips, bad input."""

import struct

import pytest
from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey

from rekt_tui.velocity.codec import trader_instructions as ix
from rekt_tui.velocity.codec.binary import CodecError
from rekt_tui.velocity.codec.order_params import OrderModification, OrderParams, OrderRef
from rekt_tui.velocity.codec.pdas import (
    SPOT_MARKET_VAULT_SEED, STATE_SEED, USER_CONDITIONS_SEED, USER_SEED, USER_STATS_SEED,
)
from tests.velocity.conftest import anchor_discriminator

AUTHORITY = Pubkey.from_bytes(bytes(range(1, 33)))
PAYER = Pubkey.from_bytes(bytes(range(2, 34)))
TOKEN_ACCOUNT = Pubkey.from_bytes(bytes([7] * 32))
TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
BOOK = ix.BookAccounts(quoter_slab=Pubkey.from_bytes(bytes([8] * 32)), clob_market=Pubkey.from_bytes(bytes([9] * 32)))
FLOW = Pubkey.from_bytes(bytes([10] * 32))
ORACLE = AccountMeta(Pubkey.from_bytes(bytes([11] * 32)), False, False)
LIMIT = OrderParams(
    order_type="Limit", direction="Long", base_asset_amount=10**9, price=150 * 10**6, market_index=0,
    user_order_id=7, post_only="MustPostOnly", oracle_price_offset=-5, builder_idx=2,
)
TRIGGER = OrderParams(
    order_type="TriggerMarket", direction="Short", base_asset_amount=2 * 10**9, price=0, market_index=1,
    reduce_only=True, trigger_price=90 * 10**6, trigger_condition="Below", max_ts=1_900_000_000,
    auction_duration=10, auction_start_price=-1, auction_end_price=2**62, builder_fee_tenth_bps=65_535,
)


def trader_instructions(program) -> dict[str, Instruction]:
    return {
        "initialize_user_stats": ix.initialize_user_stats(program, AUTHORITY, PAYER),
        "initialize_user": ix.initialize_user(program, AUTHORITY, PAYER, 3, "Main"),
        "deposit": ix.deposit(program, AUTHORITY, 0, 0, 25 * 10**6, TOKEN_ACCOUNT, TOKEN_PROGRAM),
        "withdraw": ix.withdraw(program, AUTHORITY, 0, 1, 10**9, TOKEN_ACCOUNT, TOKEN_PROGRAM, True),
        "place_and_take_perp_order_v1": ix.place_and_take_perp_order_v1(
            program, AUTHORITY, 0, LIMIT, BOOK, success_condition=1, remaining=[ORACLE]),
        "place_and_make_perp_order_v1": ix.place_and_make_perp_order_v1(
            program, AUTHORITY, 0, LIMIT, BOOK, activation_delay_slots=2, flow_authority=FLOW),
        "place_trigger_orders_v1": ix.place_trigger_orders_v1(program, AUTHORITY, 0, [TRIGGER, LIMIT]),
        "cancel_order_v1": ix.cancel_order_v1(program, AUTHORITY, 0, 2, OrderRef(17, 2**63), BOOK),
        "cancel_orders_v1": ix.cancel_orders_v1(program, AUTHORITY, 0, 2, "Both", BOOK),
        "modify_order_v1": ix.modify_order_v1(
            program, AUTHORITY, 0, OrderModification(2, OrderRef(3, 4), price=151 * 10**6, reject_if_crossed=True), BOOK),
        "cancel_order": ix.cancel_order(program, AUTHORITY, 0, 12),
        "settle_pnl": ix.settle_pnl(program, AUTHORITY, 0, 2, remaining=[ORACLE]),
    }


@pytest.fixture(scope="module")
def built(program) -> dict[str, Instruction]:
    return trader_instructions(program)


def test_every_trader_instruction_starts_with_anchors_discriminator(program, built):
    for name, instruction in built.items():
        assert bytes(instruction.data[:8]) == anchor_discriminator("global", name), name
        assert instruction.program_id == program.program_id


# What each instruction in `built` was given, as the IDL names its arguments.
EXPECTED_ARGS = {
    "initialize_user_stats": {},
    "initialize_user": {"sub_account_id": 3, "name": b"Main".ljust(32, b" ")},
    "deposit": {"market_index": 0, "amount": 25 * 10**6, "reduce_only": False},
    "withdraw": {"market_index": 1, "amount": 10**9, "reduce_only": True},
    "place_and_take_perp_order_v1": {"args": {"params": LIMIT.to_value(), "success_condition": 1}},
    "place_and_make_perp_order_v1": {"args": {"params": LIMIT.to_value(), "activation_delay_slots": 2}},
    "place_trigger_orders_v1": {"args": {"params": [TRIGGER.to_value(), LIMIT.to_value()]}},
    "cancel_order_v1": {"params": {"market_index": 2, "order_ref": {"node_index": 17, "order_id": 2**63}}},
    "cancel_orders_v1": {"params": {"market_index": 2, "sides": "Both"}},
    "modify_order_v1": {"params": {
        "market_index": 2, "order_ref": {"node_index": 3, "order_id": 4}, "price": 151 * 10**6,
        "base_asset_amount": None, "max_ts": None, "activation_delay_slots": None, "reject_if_crossed": True,
    }},
    "cancel_order": {"order_id": 12},
    "settle_pnl": {"market_index": 2},
}


def test_every_trader_instruction_round_trips(program, built):
    assert sorted(built) == sorted(EXPECTED_ARGS)
    for name, instruction in built.items():
        decoded_name, args = program.instructions.decode_data(bytes(instruction.data))
        assert (decoded_name, args) == (name, EXPECTED_ARGS[name])
        assert program.instructions.data(name, args) == bytes(instruction.data), name


def test_order_params_round_trip_through_the_instruction(program, built):
    _, args = program.instructions.decode_data(bytes(built["place_trigger_orders_v1"].data))
    assert [OrderParams.from_value(p) for p in args["args"]["params"]] == [TRIGGER, LIMIT]
    _, take = program.instructions.decode_data(bytes(built["place_and_take_perp_order_v1"].data))
    assert OrderParams.from_value(take["args"]["params"]) == LIMIT
    assert take["args"]["success_condition"] == 1


def test_order_params_fields_are_the_pinned_idls(program):
    assert sorted(LIMIT.to_value()) == sorted(f.name for f in program.idl.types["OrderParams"].fields)


def test_place_and_take_bytes_are_assembled_by_hand(built):
    expected = (
        anchor_discriminator("global", "place_and_take_perp_order_v1")
        + bytes([1, 1, 0])  # OrderType::Limit, MarketType::Perp, PositionDirection::Long
        + bytes([7])  # user_order_id
        + struct.pack("<QQH", 10**9, 150 * 10**6, 0)  # base_asset_amount, price, market_index
        + bytes([0, 1, 0])  # reduce_only false, PostOnlyParam::MustPostOnly, bit_flags
        + bytes([0, 0])  # max_ts None, trigger_price None
        + bytes([0])  # OrderTriggerCondition::Above
        + b"\x01" + struct.pack("<q", -5)  # oracle_price_offset Some(-5): an i64 now
        + bytes([0, 0, 0])  # auction_duration, auction_start_price, auction_end_price: None
        + bytes([1, 2])  # builder_idx Some(2)
        + bytes([0])  # builder_fee_tenth_bps None
        + b"\x01" + struct.pack("<I", 1)  # success_condition Some(1)
    )
    assert bytes(built["place_and_take_perp_order_v1"].data) == expected


def test_account_metas_follow_the_idl_order_and_flags(program, built):
    for name, instruction in built.items():
        items = program.idl.instructions[name].accounts
        metas = list(instruction.accounts)
        for item, meta in zip(items, metas):
            assert (meta.is_signer, meta.is_writable) == (item.signer, item.writable) or (
                item.optional and meta.pubkey == program.program_id
            ), (name, item.name)
            if item.address is not None:
                assert str(meta.pubkey) == item.address


def test_remaining_accounts_follow_the_idl_accounts(program, built):
    take = built["place_and_take_perp_order_v1"]
    assert len(take.accounts) == len(program.idl.instructions["place_and_take_perp_order_v1"].accounts) + 1
    assert take.accounts[-1] == ORACLE
    # flow_authority absent: Anchor's placeholder is the program id, neither signer nor writable.
    assert take.accounts[7] == AccountMeta(program.program_id, False, False)
    make = built["place_and_make_perp_order_v1"]
    assert make.accounts[7] == AccountMeta(FLOW, True, False)


def test_initialize_user_passes_the_referrer_writable_after_its_accounts(program):
    referrer = ix.Referrer(Pubkey.from_bytes(bytes([3] * 32)), Pubkey.from_bytes(bytes([4] * 32)))
    instruction = ix.initialize_user(program, AUTHORITY, PAYER, 0, "Main", referrer)
    assert list(instruction.accounts[-2:]) == [
        AccountMeta(referrer.user, False, True), AccountMeta(referrer.user_stats, False, True),
    ]
    assert len(instruction.accounts) == len(program.idl.instructions["initialize_user"].accounts) + 2
    _, args = program.instructions.decode_data(bytes(instruction.data))
    assert args == {"sub_account_id": 0, "name": b"Main".ljust(32, b" ")}


def test_derived_accounts_use_the_new_seeds(program, built):
    pid = program.program_id
    user = Pubkey.find_program_address([b"user", bytes(AUTHORITY), (0).to_bytes(2, "little")], pid)[0]
    stats = Pubkey.find_program_address([b"user_stats", bytes(AUTHORITY)], pid)[0]
    state = Pubkey.find_program_address([b"velocity_state"], pid)[0]
    signer = Pubkey.find_program_address([b"velocity_signer"], pid)[0]
    vault = Pubkey.find_program_address([b"spot_market_vault", (1).to_bytes(2, "little")], pid)[0]
    withdraw = {i.name: m.pubkey for i, m in zip(program.idl.instructions["withdraw"].accounts, built["withdraw"].accounts)}
    assert withdraw == {
        "state": state, "user": user, "user_stats": stats, "authority": AUTHORITY, "spot_market_vault": vault,
        "velocity_signer": signer, "user_token_account": TOKEN_ACCOUNT, "token_program": TOKEN_PROGRAM,
    }
    settle = {i.name: m.pubkey for i, m in zip(program.idl.instructions["settle_pnl"].accounts, built["settle_pnl"].accounts)}
    assert settle["spot_market_vault"] == Pubkey.find_program_address([b"spot_market_vault", bytes(2)], pid)[0]
    sub3 = Pubkey.find_program_address([b"user", bytes(AUTHORITY), (3).to_bytes(2, "little")], pid)[0]
    init = dict(zip((i.name for i in program.idl.instructions["initialize_user"].accounts),
                    (m.pubkey for m in built["initialize_user"].accounts)))
    assert (init["user"], init["user_stats"], init["state"], init["authority"], init["payer"]) == (
        sub3, stats, state, AUTHORITY, PAYER)
    assert init["user_conditions"] == Pubkey.find_program_address([b"user_conditions", bytes(sub3)], pid)[0]
    cancel = dict(zip((i.name for i in program.idl.instructions["cancel_order_v1"].accounts),
                      (m.pubkey for m in built["cancel_order_v1"].accounts)))
    assert cancel["perp_market"] == Pubkey.find_program_address([b"perp_market", (2).to_bytes(2, "little")], pid)[0]
    assert (cancel["quoter_slab"], cancel["clob_market"]) == (BOOK.quoter_slab, BOOK.clob_market)


def test_our_seeds_are_the_ones_the_idl_declares(program):
    def const_seeds(instruction: str, account: str) -> list[bytes]:
        item = next(a for a in program.idl.instructions[instruction].accounts if a.name == account)
        assert item.pda is not None
        return [s.value for s in item.pda.seeds if s.kind == "const"]

    assert const_seeds("initialize", "state") == [STATE_SEED]
    assert const_seeds("initialize_user", "user") == [USER_SEED]
    assert const_seeds("initialize_user", "user_conditions") == [USER_CONDITIONS_SEED]
    assert const_seeds("initialize_user_stats", "user_stats") == [USER_STATS_SEED]
    assert const_seeds("deposit", "spot_market_vault") == [SPOT_MARKET_VAULT_SEED]
    assert const_seeds("settle_pnl", "spot_market_vault") == [SPOT_MARKET_VAULT_SEED, bytes(2)]


def _one_sentence(error: Exception) -> str:
    message = str(error)
    assert "\n" not in message and message.endswith(".")
    return message


def test_bad_input_is_one_sentence_and_builds_nothing(program):
    with pytest.raises(CodecError) as refused:
        ix.place_trigger_orders_v1(program, AUTHORITY, 0, [OrderParams("Limit", "Long", -1, 1, 0)])
    assert "base_asset_amount = -1 does not fit in a u64" in _one_sentence(refused.value)
    with pytest.raises(CodecError) as refused:
        ix.deposit(program, AUTHORITY, 70_000, 0, 1, TOKEN_ACCOUNT, TOKEN_PROGRAM)
    _one_sentence(refused.value)
    with pytest.raises(CodecError) as refused:
        ix.initialize_user(program, AUTHORITY, PAYER, 0, "x" * 33)
    assert "33 bytes" in _one_sentence(refused.value)
    with pytest.raises(CodecError) as refused:
        ix.cancel_orders_v1(program, AUTHORITY, 0, 0, "Sideways", BOOK)  # type: ignore[arg-type]
    assert "Bids, Asks, Both" in _one_sentence(refused.value)
    with pytest.raises(CodecError) as refused:
        program.instructions.build("deposit", {"market_index": 0, "amount": 1, "reduce_only": False}, {})
    assert "needs the state account" in _one_sentence(refused.value)
    with pytest.raises(CodecError):
        program.instructions.metas("cancel_order_v1", {"clob_program": AUTHORITY})


def test_trailing_or_unknown_instruction_bytes_are_refused(program, built):
    with pytest.raises(CodecError):
        program.instructions.decode_data(bytes(built["cancel_order"].data) + b"\x00")
    with pytest.raises(CodecError):
        program.instructions.decode_data(bytes(8))
