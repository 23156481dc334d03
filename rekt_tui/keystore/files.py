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
