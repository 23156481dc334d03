"""Durable file writes shared by the key files this package creates."""

import os
from pathlib import Path


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
