"""Events from `Program data:` log lines, and error codes to names and sentences."""

import base64
import struct

import pytest
from solders.pubkey import Pubkey

from rekt_tui.velocity.codec.binary import CodecError
from rekt_tui.velocity.codec.events import Event
from tests.velocity.conftest import anchor_discriminator
from tests.velocity.sample_values import sample_struct

CLOB = "BPX47ur8TbgZQgtJcGJvdcQMMFbmBP7ZrhpiUmLuHKqU"
TRADER_EVENTS = ["OrderActionRecord", "FundingPaymentRecord", "SettlePnlRecord", "DepositRecord", "LiquidationRecord"]


def data_line(raw: bytes) -> str:
    return "Program data: " + base64.b64encode(raw).decode()


@pytest.mark.parametrize("seed", [1, 2])
def test_every_event_round_trips(program, seed):
    for name in program.idl.events:
        fields = sample_struct(program.codec, name, seed)
        raw = program.events.encode(name, fields)
        assert raw[:8] == anchor_discriminator("event", name)
        assert program.events.decode(raw) == Event(name, fields)


def test_a_settle_pnl_record_assembled_by_hand_decodes(program):
    user = Pubkey.from_bytes(bytes([5] * 32))
    raw = (
        anchor_discriminator("event", "SettlePnlRecord")
        + struct.pack("<q", 1_765_000_000) + bytes(user) + struct.pack("<H", 2)
        + (-(10**20)).to_bytes(16, "little", signed=True)
        + struct.pack("<qqqq", -3 * 10**9, 7, -8, 151_250_000)
        + bytes([1])  # SettlePnlExplanation::ExpiredPosition
    )
    assert program.events.decode(raw) == Event("SettlePnlRecord", {
        "ts": 1_765_000_000, "user": user, "market_index": 2, "pnl": -(10**20), "base_asset_amount": -3 * 10**9,
        "quote_asset_amount_after": 7, "quote_entry_amount": -8, "settle_price": 151_250_000,
        "explanation": "ExpiredPosition",
    })


def test_only_this_programs_log_lines_are_read(program):
    pid = str(program.program_id)
    events = {name: sample_struct(program.codec, name, 3) for name in TRADER_EVENTS}
    encoded = {name: program.events.encode(name, fields) for name, fields in events.items()}
    logs = [
        "Program ComputeBudget111111111111111111111111111111 invoke [1]",
        "Program ComputeBudget111111111111111111111111111111 success",
        f"Program {pid} invoke [1]",
        "Program log: Instruction: PlaceAndTakePerpOrderV1",
        data_line(encoded["DepositRecord"]),
        f"Program {CLOB} invoke [2]",
        data_line(encoded["LiquidationRecord"]),  # same bytes, but the order book logged them
        data_line(b"\x01" * 8 + b"clob event"),
        f"Program {CLOB} consumed 1200 of 180000 compute units",
        f"Program {CLOB} success",
        data_line(encoded["OrderActionRecord"]),
        data_line(encoded["FundingPaymentRecord"]) + " " + base64.b64encode(encoded["SettlePnlRecord"]).decode(),
        f"Program {pid} consumed 90000 of 200000 compute units",
        f"Program {pid} success",
        data_line(encoded["LiquidationRecord"]),  # outside any invocation
    ]
    assert program.events.from_logs(logs) == [
        Event("DepositRecord", events["DepositRecord"]),
        Event("OrderActionRecord", events["OrderActionRecord"]),
        Event("FundingPaymentRecord", events["FundingPaymentRecord"]),
        Event("SettlePnlRecord", events["SettlePnlRecord"]),
    ]


def test_a_truncated_event_of_ours_is_an_error_not_a_silent_skip(program):
    raw = program.events.encode("DepositRecord", sample_struct(program.codec, "DepositRecord", 1))
    logs = [f"Program {program.program_id} invoke [1]", data_line(raw[:-3])]
    with pytest.raises(CodecError):
        program.events.from_logs(logs)
    assert program.events.decode(b"\x00" * 8 + raw[8:]) is None


def test_error_codes_resolve_to_the_names_the_facts_file_gives(program):
    # ../shared/docs/VELOCITY.md, "Errors".
    assert program.errors.get(6003).name == "InsufficientCollateral"
    assert program.errors.get(6358).name == "EquityBelowFloor"
    assert program.errors.get(6364).name == "DailyDepositLimit"
    assert program.errors.get(6378).name == "OrderPlacedOnClob"
    assert program.errors.get(6401).name == "ReduceOnlyOrderCannotRestOnClob"
    assert program.errors.get(6411) is None


def test_error_sentences_are_one_sentence_naming_the_code(program):
    sentence = program.errors.sentence(6364)
    assert sentence == "The program refused: Spot market daily deposit limit hit (DailyDepositLimit, 6364)."
    unknown = program.errors.sentence(7000)
    assert "7000" in unknown and unknown.endswith(".") and "\n" not in unknown


def test_the_error_code_is_read_from_either_log_form(program):
    pid = program.program_id
    anchor = [
        f"Program {pid} invoke [1]",
        "Program log: AnchorError occurred. Error Code: EquityBelowFloor. Error Number: 6358. Error Message: x.",
        f"Program {pid} failed: custom program error: 0x18d6",
    ]
    assert program.errors.code_from_logs(anchor) == 6358
    assert program.errors.code_from_logs([f"Program {pid} failed: custom program error: 0x18ec"]) == 6380
    assert program.errors.code_from_logs([f"Program {pid} success"]) is None
