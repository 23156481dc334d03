"""solana-keygen JSON: exact round trip, strict parsing that never echoes a key, safe files."""

import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from solders.keypair import Keypair

from rekt_tui.domain.errors import UsageError
from rekt_tui.domain.pubkey import b58encode
from rekt_tui.keystore import keypair_from_keygen_json, keypair_to_keygen_json, read_keygen_file, write_keygen_file
from rekt_tui.keystore.keygen_json import MAX_FILE_BYTES

SOURCE = "the-key-file.json"


def _refused(text: str) -> str:
    with pytest.raises(UsageError) as caught:
        keypair_from_keygen_json(text, source=SOURCE)
    message = str(caught.value)
    assert "\n" not in message and SOURCE in message
    assert caught.value.__cause__ is None
    if len(text.strip()) >= 8:  # shorter text could be a word of the message by chance
        assert text.strip() not in message
    return message


def test_round_trip_matches_solana_keygen_layout() -> None:
    keypair = Keypair()
    text = keypair_to_keygen_json(keypair)
    assert json.loads(text) == list(bytes(keypair)) and " " not in text
    assert bytes(keypair_from_keygen_json(text, source=SOURCE)) == bytes(keypair)
    pretty = json.dumps(list(bytes(keypair)), indent=2)
    assert keypair_from_keygen_json(pretty, source=SOURCE).pubkey() == keypair.pubkey()


@given(st.lists(st.integers(0, 255), max_size=130).filter(lambda values: len(values) != 64))
def test_wrong_length_is_refused(values: list[int]) -> None:
    assert "exactly 64 numbers" in _refused(json.dumps(values))


@given(
    st.lists(st.integers(0, 255), min_size=64, max_size=64),
    st.integers(0, 63),
    st.one_of(st.integers(max_value=-1), st.integers(min_value=256), st.floats(), st.booleans(), st.text(), st.none()),
)
def test_out_of_range_or_non_integer_values_are_refused(values: list[int], index: int, bad) -> None:
    values = [*values[:index], bad, *values[index + 1 :]]
    try:
        text = json.dumps(values)
    except ValueError:
        return
    message = _refused(text)
    assert "from 0 to 255" in message or "not valid JSON" in message  # NaN/Infinity are not JSON numbers


@given(st.text(max_size=200))
def test_non_json_or_other_shapes_are_refused(text: str) -> None:
    _refused(text)


@given(st.binary(min_size=64, max_size=64))
def test_a_pubkey_half_that_does_not_match_is_refused_without_echoing_the_seed(raw: bytes) -> None:
    assume(bytes(Keypair.from_seed(raw[:32]).pubkey()) != raw[32:])
    message = _refused(json.dumps(list(raw)))
    assert "not the public key of its first 32 bytes" in message
    assert b58encode(raw[:32]) not in message and str(list(raw[:32]))[1:-1] not in message


@settings(max_examples=25)
@given(st.recursive(st.integers(), lambda children: st.lists(children, max_size=3), max_leaves=20))
def test_nested_arrays_are_refused(value) -> None:
    _refused(json.dumps([value] * 64 if isinstance(value, list) else [[value]]))


def test_deep_nesting_is_refused_without_a_crash() -> None:
    _refused("[" * 100_000 + "]" * 100_000)


def test_export_file_is_0600_and_never_overwritten(tmp_path: Path) -> None:
    keypair = Keypair()
    path = tmp_path / "session.json"
    write_keygen_file(path, keypair)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert bytes(read_keygen_file(path)) == bytes(keypair)

    with pytest.raises(UsageError, match="already exists") as caught:
        write_keygen_file(path, Keypair())
    assert "\n" not in str(caught.value)
    assert bytes(read_keygen_file(path)) == bytes(keypair)


def test_export_into_a_missing_directory_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot create"):
        write_keygen_file(tmp_path / "missing" / "k.json", Keypair())


@pytest.mark.parametrize("loose_mode", [0o644, 0o640, 0o660, 0o604])
def test_a_key_file_others_can_read_is_refused_and_left_alone(tmp_path: Path, loose_mode: int) -> None:
    keypair = Keypair()
    path = tmp_path / "id.json"
    write_keygen_file(path, keypair)
    os.chmod(path, loose_mode)
    with pytest.raises(UsageError) as refused:
        read_keygen_file(path)
    text = str(refused.value)
    assert "\n" not in text and text.endswith(".")
    assert f"mode {loose_mode:o}" in text and f"chmod 600 {path}" in text
    assert str(list(bytes(keypair))[:4])[1:-1] not in text
    assert stat.S_IMODE(path.stat().st_mode) == loose_mode  # the user's file: refused, never chmodded
    os.chmod(path, 0o400)  # owner-only, even read-only, is fine
    assert bytes(read_keygen_file(path)) == bytes(keypair)


def test_reading_bad_files_gives_one_sentence_each(tmp_path: Path) -> None:
    large = tmp_path / "large.json"
    large.write_text(" " * (MAX_FILE_BYTES + 1))
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe" * 10)
    binary.chmod(0o600)
    unreadable = tmp_path / "unreadable.json"
    write_keygen_file(unreadable, Keypair())
    os.chmod(unreadable, 0)
    cases = {
        tmp_path / "absent.json": "no key file at",
        tmp_path: "is a directory",
        large: "too large",
        binary: "not text",
    }
    if os.geteuid() != 0:  # root reads any file regardless of mode
        cases[unreadable] = "cannot read"
    for path, expected in cases.items():
        with pytest.raises(UsageError, match=expected) as caught:
            read_keygen_file(path)
        assert "\n" not in str(caught.value)
