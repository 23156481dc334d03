"""File logging in the data dir. Nothing goes to the terminal, which belongs to the UI."""

import logging
import logging.handlers
import os
import stat
import sys
from pathlib import Path

from rekt_tui.domain.errors import UsageError

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d]: %(message)s"


def ensure_private_dir(path: Path, *, warn: bool = True) -> None:
    """Create `path` private to the user (0700), or refuse it with a sentence naming the fix.

    Only a directory created here gets a mode: an existing one is the user's (it may be
    shared on purpose, like a sticky 1777 one), so it is left as it is and a
    group- or world-readable one is only warned about.
    """
    existed = path.is_dir()
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError(f"data dir {path} exists but is not a directory; choose another with --data-dir.") from None
    except OSError as error:
        raise UsageError(f"data dir {path} cannot be created ({error.strerror}); choose another with --data-dir.") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise UsageError(f"data dir {path} is not writable; fix its permissions or choose another with --data-dir.")
    mode = stat.S_IMODE(path.stat().st_mode)
    if not existed:
        if mode != 0o700:
            path.chmod(0o700)  # ours: undo whatever the umask took away or left open
    elif warn and mode & 0o077:
        print(
            f"rekt-tui: note: data dir {path} is open to other users (mode {mode:04o}); it holds the registry "
            f"of every wallet, so keep it private (chmod 700 {path}) or choose another with --data-dir.",
            file=sys.stderr,
        )


def configure_logging(log_file: Path, level: str) -> None:
    ensure_private_dir(log_file.parent, warn=False)  # the data dir's own warning covers it
    # Create the file 0600 before the handler opens it: logs name wallets and amounts.
    os.close(os.open(log_file, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600))
    handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
