"""Durable file writes shared by the key files this package creates, and the lock that
keeps processes from interleaving a read-change-write of one."""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rekt_tui.keystore.errors import KeystoreError


@contextmanager
def held_exclusively(path: Path) -> Iterator[None]:
    """An exclusive flock of the lock file `path` (made on first use) until the block ends; the
    kernel drops it if the process dies."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise KeystoreError(f"cannot open the keystore's lock file {path} ({os_reason(exc)}).") from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # drops the flock


def fsync_directory(directory: Path) -> None:
    """Make a file's creation or rename durable, not just its contents."""
    if os.name == "nt":  # Windows cannot open a directory; NTFS journals the rename itself
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def os_reason(exc: OSError) -> str:
    """The OS's short reason ("Permission denied"); never the data involved."""
    return exc.strerror or type(exc).__name__


def readable_by_others(mode: int) -> bool:
    """True when group or other users may read or write a file with this st_mode (never on Windows)."""
    return os.name != "nt" and bool(mode & 0o077)


def loose_mode_fix(path: Path, mode: int) -> str:
    """The clause a refusal of a group- or world-accessible key file ends with."""
    return f"other users can read it (mode {mode & 0o777:o}); run `chmod 600 {path}` and retry"
