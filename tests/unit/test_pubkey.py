import pytest
from hypothesis import given
from hypothesis import strategies as st

from rekt_tui.domain.errors import UsageError
from rekt_tui.domain.pubkey import b58decode, b58encode, is_pubkey, parse_pubkey

SYSTEM_PROGRAM = "11111111111111111111111111111111"
DRIFT_PROGRAM = "dRiftyHA39MWEi3m9aunc5MzRF1JYuBsbn6VPcn33UH"


@given(st.binary(min_size=0, max_size=64))
def test_base58_round_trips(data):
    assert b58decode(b58encode(data)) == data


def test_known_keys_are_32_bytes():
    assert b58decode(SYSTEM_PROGRAM) == bytes(32)
    assert is_pubkey(DRIFT_PROGRAM)


@pytest.mark.parametrize("bad", ["", "0OIl" * 10, DRIFT_PROGRAM[:-3], DRIFT_PROGRAM + "zz", "not a key"])
def test_bad_pubkeys_are_refused_in_one_sentence(bad):
    assert not is_pubkey(bad)
    with pytest.raises(UsageError) as caught:
        parse_pubkey(bad, "referrer")
    assert "is not a valid referrer" in caught.value.message


def test_parse_pubkey_strips_whitespace():
    assert parse_pubkey(f"  {DRIFT_PROGRAM}\n") == DRIFT_PROGRAM
