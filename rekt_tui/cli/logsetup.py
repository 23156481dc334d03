"""File logging in the data dir. Nothing goes to the terminal, which belongs to the UI."""

import logging
import logging.handlers
import os
from pathlib import Path

from rekt_tui.domain.errors import UsageError

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d]: %(message)s"


def ensure_private_dir(path: Path) -> None:
    """Create `path` (mode 0700) or refuse it with a sentence naming the fix."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError(f"data dir {path} exists but is not a directory; choose another with --data-dir.") from None
    except OSError as error:
        raise UsageError(f"data dir {path} cannot be created ({error.strerror}); choose another with --data-dir.") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise UsageError(f"data dir {path} is not writable; fix its permissions or choose another with --data-dir.")
    if path.stat().st_mode & 0o077:
        # It holds the registry of every wallet and transaction: only its owner may look in.
        path.chmod(0o700)


def configure_logging(log_file: Path, level: str) -> None:
    ensure_private_dir(log_file.parent)
    # Create the file 0600 before the handler opens it: logs name wallets and amounts.
    os.close(os.open(log_file, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600))
    handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
