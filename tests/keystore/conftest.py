"""Fixtures shared by the keystore tests: real keyring backends confined to tmp."""

from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from rekt_tui.keystore import LocalnetKeyFile

from .backends import MemoryKeyring


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data dir that does not exist yet, so a test can tell whether anything created it."""
    return tmp_path / "data"


@pytest.fixture
def memory_keyring() -> KeyringBackend:
    return MemoryKeyring()


@pytest.fixture
def plaintext_keyring(tmp_path: Path) -> KeyringBackend:
    """keyrings.alt's real plaintext file backend, its file pointed into tmp."""
    from keyrings.alt.file import PlaintextKeyring

    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "alt" / "keyring_pass.cfg")
    return backend


@pytest.fixture
def localnet_key_file(tmp_path: Path) -> KeyringBackend:
    return LocalnetKeyFile(tmp_path / "localnet")
