"""Validator errors decode to Drift's own names and messages (code = 6000 + IDL index)."""

import json
from importlib import resources

import pytest

from rekt_tui.drift.errors import TransactionFailed, decode_transaction_error

IDL_ERRORS = json.loads(resources.files("driftpy").joinpath("idl/drift.json").read_text())["errors"]


@pytest.mark.parametrize(
    ("code", "name"),
    [
        (6003, "InsufficientCollateral"),
        (6010, "UserHasNoPositionInMarket"),
        (6024, "ExchangePaused"),
        (6042, "InvalidOrder"),
        (6064, "ReduceOnlyOrderIncreasedRisk"),
        (6068, "DidNotReceiveExpectedReferrer"),
        (6069, "CouldNotDeserializeReferrer"),
        (6146, "MarketActionPaused"),
        (6147, "MarketPlaceOrderPaused"),
        (6148, "MarketFillOrderPaused"),
        (6149, "MarketWithdrawPaused"),
        (6153, "ReduceOnlyWithdrawIncreasedRisk"),
    ],
)
def test_drift_codes_decode_to_their_idl_names(code, name):
    decoded = decode_transaction_error({"InstructionError": [2, {"Custom": code}]})
    assert (decoded.code, decoded.name, decoded.instruction_index) == (code, name, 2)
    assert decoded.message == IDL_ERRORS[code - 6000]["msg"]


def test_every_idl_error_decodes_by_the_code_the_idl_states():
    # The expectation comes from each entry's own `code` field and from two literal ends of
    # the range, not from the decoder's rule (base + index), so a shifted or partial table fails.
    assert len(IDL_ERRORS) > 300
    for error in IDL_ERRORS:
        decoded = decode_transaction_error({"InstructionError": [0, {"Custom": error["code"]}]})
        assert (decoded.code, decoded.name, decoded.message) == (error["code"], error["name"], error["msg"])
    first = decode_transaction_error({"InstructionError": [0, {"Custom": 6000}]})
    assert first.name == "InvalidSpotMarketAuthority"
    last = IDL_ERRORS[-1]["code"]
    assert decode_transaction_error({"InstructionError": [0, {"Custom": last + 1}]}).name == f"Custom{last + 1}"


def test_builtin_and_transaction_level_errors():
    assert decode_transaction_error({"InstructionError": [1, "InsufficientFunds"]}).name == "InsufficientFunds"
    assert decode_transaction_error("BlockhashNotFound").kind == "transaction"
    assert decode_transaction_error({"InsufficientFundsForRent": {"account_index": 0}}).name == "InsufficientFundsForRent"
    assert decode_transaction_error({"InstructionError": [0, {"Custom": 77}]}).name == "Custom77"


def test_failure_sentence_is_one_line_with_code_and_name():
    decoded = decode_transaction_error({"InstructionError": [0, {"Custom": 6149}]})
    message = TransactionFailed("5" * 88, decoded, landed=False).message
    assert message == (
        "Transaction 55555555… was refused before sending: "
        "MarketWithdrawPaused (6149): the Market status doesnt allow withdraws."
    )
