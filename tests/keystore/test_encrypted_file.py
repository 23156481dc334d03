"""The opt-in encrypted file (keyrings.cryptfile): passphrase only from the prompt function."""

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from solders.keypair import Keypair

from rekt_tui.keystore import KeystoreUnavailable, open_keystore
from rekt_tui.keystore.encrypted_file import FILE_NAME

PASSPHRASE = "correct horse battery staple"


def _prompter(*answers: str) -> tuple[Callable[[str], str], list[str]]:
    """A prompt function that answers in turn and records what it was asked."""
    asked: list[str] = []
    queue = list(answers)

    def prompt(text: str) -> str:
        asked.append(text)
        return queue.pop(0)

    return prompt, asked


def _open(data_dir: Path, prompt: Callable[[str], str] | None):
    return open_keystore(
        choice="cryptfile", cluster="mainnet", data_dir=data_dir, prompt_passphrase=prompt, candidates=[]
    )


def test_opt_in_end_to_end_and_the_file_never_holds_the_secret_in_clear(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # keyring lets KEYRING_PROPERTY_* set backend attributes; neither may steer this file.
    monkeypatch.setenv("KEYRING_PROPERTY_KEYRING_KEY", "passphrase from the environment")
    monkeypatch.setenv("KEYRING_PROPERTY_FILE_PATH", str(tmp_path / "elsewhere.cfg"))
    prompt, asked = _prompter(PASSPHRASE, PASSPHRASE)
    keystore = _open(data_dir, prompt)
    assert len(asked) == 2  # a new file asks twice
    assert keystore.backend_id == "cryptfile" and keystore.status.secure

    keypair = Keypair()
    keystore.store(keypair)
    path = data_dir / FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    content = path.read_text()
    assert str(keypair) not in content and PASSPHRASE not in content

    prompt, asked = _prompter(PASSPHRASE)
    reopened = _open(data_dir, prompt)
    assert len(asked) == 1 and str(path) in asked[0]
    assert bytes(reopened.load(str(keypair.pubkey()))) == bytes(keypair)
    assert not (tmp_path / "elsewhere.cfg").exists()


def test_wrong_passphrase_on_reopen_is_one_sentence(data_dir: Path) -> None:
    _open(data_dir, _prompter(PASSPHRASE, PASSPHRASE)[0])
    before = (data_dir / FILE_NAME).read_bytes()
    with pytest.raises(KeystoreUnavailable) as caught:
        _open(data_dir, _prompter("not the passphrase")[0])
    message = str(caught.value)
    assert message.startswith("wrong passphrase for the encrypted key file") and "\n" not in message
    assert "not the passphrase" not in message
    assert (data_dir / FILE_NAME).read_bytes() == before


def test_without_a_prompt_function_it_refuses_and_creates_nothing(data_dir: Path) -> None:
    with pytest.raises(KeystoreUnavailable, match="interactive terminal"):
        _open(data_dir, None)
    assert not data_dir.exists()


@pytest.mark.parametrize(
    ("answers", "expected"), [((PASSPHRASE, "typo"), "differ"), (("   ",), "not blank")], ids=["mismatch", "blank"]
)
def test_a_new_file_refuses_mismatched_or_blank_passphrases(
    data_dir: Path, answers: tuple[str, ...], expected: str
) -> None:
    with pytest.raises(KeystoreUnavailable, match=expected):
        _open(data_dir, _prompter(*answers)[0])
    assert not data_dir.exists()


def test_no_terminal_input_is_a_refusal(data_dir: Path) -> None:
    def no_input(text: str) -> str:
        raise EOFError

    with pytest.raises(KeystoreUnavailable, match="interactive terminal"):
        _open(data_dir, no_input)
    assert not data_dir.exists()


def test_a_damaged_file_is_one_sentence(data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / FILE_NAME).write_text("[keyring_2Dsetting]\npassword_20reference = garbage\n")
    with pytest.raises(KeystoreUnavailable) as caught:
        _open(data_dir, _prompter(PASSPHRASE)[0])
    message = str(caught.value)
    assert "(or the file is damaged)" in message and "\n" not in message and PASSPHRASE not in message
    assert os.listdir(data_dir) == [FILE_NAME]
