"""The localnet test key file: 0600, atomic, durable across reopen, localnet only."""

import json
import multiprocessing
import os
import stat
import time
from pathlib import Path

import pytest
from solders.keypair import Keypair

from rekt_tui.keystore import KeystoreError, KeystoreUnavailable, open_keystore
from rekt_tui.keystore.localnet_file import FILE_NAME


def _open(data_dir: Path):
    return open_keystore(choice="localnet-file", cluster="localnet", data_dir=data_dir)


def test_file_is_0600_json_and_leaves_no_temp_files(data_dir: Path) -> None:
    keystore = _open(data_dir)
    keypairs = [Keypair() for _ in range(3)]
    for keypair in keypairs:
        keystore.store(keypair)
    keystore.delete(str(keypairs[0].pubkey()))

    assert sorted(os.listdir(data_dir)) == [FILE_NAME, "locks"]  # the key index's lock lives in locks/
    path = data_dir / FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    kept = {str(k.pubkey()): str(k) for k in keypairs[1:]}
    # Beside the keys, the pubkey index (public data: no secret in it) names exactly the keys kept.
    index = {pubkey: None for pubkey in kept}
    stored = json.loads(path.read_text())
    assert json.loads(stored.pop("session-pubkeys")) == index and stored == kept
    assert keystore.indexed_keys() == index


@pytest.mark.parametrize("loose_mode", [0o644, 0o640, 0o604])
def test_a_key_file_others_can_read_is_refused_and_left_alone(data_dir: Path, loose_mode: int) -> None:
    keystore = _open(data_dir)
    keypair = Keypair()
    keystore.store(keypair)
    path = data_dir / FILE_NAME
    os.chmod(path, loose_mode)
    with pytest.raises(KeystoreError) as refused:
        keystore.load(str(keypair.pubkey()))
    text = str(refused.value)
    assert "\n" not in text and text.endswith(".")
    assert f"chmod 600 {path}" in text and oct(loose_mode)[2:] in text
    assert str(keypair) not in text
    assert stat.S_IMODE(path.stat().st_mode) == loose_mode  # refused, not silently changed
    os.chmod(path, 0o600)
    assert bytes(keystore.load(str(keypair.pubkey()))) == bytes(keypair)


def test_keys_survive_reopening(data_dir: Path) -> None:
    keypair = Keypair()
    _open(data_dir).store(keypair)
    reopened = _open(data_dir)
    assert reopened.status.backend == "localnet test keys (not secure)" and not reopened.status.secure
    assert bytes(reopened.load(str(keypair.pubkey()))) == bytes(keypair)


def test_keys_are_refused_for_other_clusters(data_dir: Path) -> None:
    keystore = _open(data_dir)
    keystore.store(Keypair())
    assert keystore.usable_on("localnet")
    assert not keystore.usable_on("devnet") and not keystore.usable_on("mainnet")
    with pytest.raises(KeystoreUnavailable):
        open_keystore(choice="localnet-file", cluster="devnet", data_dir=data_dir)


def test_a_failed_write_keeps_the_old_file_and_no_temp_file(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keystore = _open(data_dir)
    kept = Keypair()
    keystore.store(kept)
    before = (data_dir / FILE_NAME).read_bytes()

    def failing_fsync(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(KeystoreError):
        keystore.store(Keypair())
    monkeypatch.undo()

    assert sorted(os.listdir(data_dir)) == [FILE_NAME, "locks"]  # the key index's lock lives in locks/
    assert (data_dir / FILE_NAME).read_bytes() == before
    assert bytes(keystore.load(str(kept.pubkey()))) == bytes(kept)


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"a": 1}'])
def test_a_damaged_file_gives_one_sentence(data_dir: Path, content: str) -> None:
    data_dir.mkdir()
    (data_dir / FILE_NAME).write_text(content)
    (data_dir / FILE_NAME).chmod(0o600)
    with pytest.raises(KeystoreError) as caught:
        _open(data_dir).contains(str(Keypair().pubkey()))
    message = str(caught.value)
    assert "is damaged; move it aside" in message and "\n" not in message
    assert content not in message



def _store_many(data_dir: str, start_at: float) -> list[str]:
    """Fifteen keys, stored from a common start so the processes' writes interleave."""
    keystore = _open(Path(data_dir))
    time.sleep(max(0.0, start_at - time.time()))
    stored = []
    for _ in range(15):
        keypair = Keypair()
        keystore.store(keypair)
        stored.append(str(keypair.pubkey()))
    return stored


def test_processes_storing_keys_side_by_side_keep_every_key(data_dir: Path) -> None:
    """Each store reads, changes and rewrites the whole file: unlocked, one process's write
    would drop the keys another wrote between its read and its rename."""
    start_at = time.time() + 3
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        batches = pool.starmap(_store_many, [(str(data_dir), start_at)] * 4)
    stored = [pubkey for batch in batches for pubkey in batch]
    entries = json.loads((data_dir / FILE_NAME).read_text())
    lost = set(stored) - set(entries)
    assert not lost, f"{len(lost)} of {len(stored)} keys lost"
    assert all(_open(data_dir).load(pubkey) for pubkey in stored)
    assert set(stored) <= set(_open(data_dir).indexed_keys()), "a key the index does not list"
