"""solana-keygen key files: a JSON array of the keypair's 64 bytes.

This is how a session key leaves rekt-tui (export, after typed confirmation) and
how a user may bring one in. Files are created 0600 with O_EXCL, because silently
replacing an existing key file could destroy the only copy of a funded key. Parse
errors name the file but never quote it: its content is a secret.
"""

import json
import os
from pathlib import Path

from solders.keypair import Keypair

from rekt_tui.domain.errors import UsageError
from rekt_tui.keystore.files import fsync_directory, loose_mode_fix, os_reason, readable_by_others
from rekt_tui.keystore.secret import KEYPAIR_LENGTH, keypair_from_bytes

# A pretty-printed 64-number array is well under 1 KiB; anything far bigger is not a key file.
MAX_FILE_BYTES = 16 * 1024


def keypair_from_keygen_json(text: str, *, source: str) -> Keypair:
    """Parse solana-keygen JSON; UsageError naming `source` (never the content) when it is not a keypair."""
    try:
        values = json.loads(text)
    except (ValueError, RecursionError):
        raise UsageError(f"{source} is not a solana-keygen key file: it is not valid JSON.") from None
    if not isinstance(values, list) or len(values) != KEYPAIR_LENGTH:
        raise UsageError(
            f"{source} is not a solana-keygen key file: expected a JSON array of exactly {KEYPAIR_LENGTH} numbers."
        )
    if not all(type(value) is int and 0 <= value <= 255 for value in values):
        raise UsageError(
            f"{source} is not a solana-keygen key file: every number must be a whole number from 0 to 255."
        )
    try:
        return keypair_from_bytes(bytes(values))
    except ValueError:
        raise UsageError(
            f"{source} is damaged: its last 32 bytes are not the public key of its first 32 bytes."
        ) from None


def keypair_to_keygen_json(keypair: Keypair) -> str:
    """The same compact form solana-keygen writes, e.g. `[12,200,...]`."""
    return json.dumps(list(bytes(keypair)), separators=(",", ":"))


def write_keygen_file(path: Path, keypair: Keypair) -> None:
    """Create `path` (0600) holding the keypair; refuse an existing file rather than overwrite it.

    The mode is given at creation, so the file is never readable by others, not even briefly.
    """
    path = Path(path)
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise UsageError(
            f"{path} already exists; key files are never overwritten, so choose a new file name."
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot create {path}: {os_reason(exc)}; choose a writable location.") from None
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(keypair_to_keygen_json(keypair))
            file.flush()
            os.fsync(file.fileno())
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise UsageError(f"cannot write {path}: {os_reason(exc)}; nothing was exported.") from None
    fsync_directory(path.parent)


def read_keygen_file(path: Path) -> Keypair:
    """Read and verify a solana-keygen file; one sentence when it is missing, unreadable or not a key."""
    path = Path(path)
    try:
        with open(path, "rb") as file:
            info = os.fstat(file.fileno())
            if info.st_size > MAX_FILE_BYTES:
                raise UsageError(f"{path} is too large to be a solana-keygen key file.")
            if readable_by_others(info.st_mode):
                # The user's file, so it is not ours to chmod; a key others could read may be copied already.
                raise UsageError(f"{path} holds a secret key but {loose_mode_fix(path, info.st_mode)}.")
            raw = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(f"there is no key file at {path}.") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory, not a solana-keygen key file.") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {os_reason(exc)}.") from None
    if len(raw) > MAX_FILE_BYTES:
        raise UsageError(f"{path} is too large to be a solana-keygen key file.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not a solana-keygen key file: it is not text.") from None
    return keypair_from_keygen_json(text, source=str(path))
