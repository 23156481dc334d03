"""The app's workers: which groups are running (the actions hide themselves while theirs runs),
and what a failed one tells the trader."""

import logging
from pathlib import Path
from typing import Any

from textual.app import App

from rekt_tui.domain.errors import RektError

log = logging.getLogger(__name__)


def group_running(app: App[Any], group: str) -> bool:
    return any(worker.group == group and worker.is_running for worker in app.workers)


def failure_text(error: BaseException, log_file: Path) -> str:
    """A `RektError`'s sentence; anything else is a bug: logged in full, and named briefly."""
    if isinstance(error, RektError):
        return error.message
    log.error("unexpected error in a background task", exc_info=error)
    return f"Unexpected error; the details are in {log_file}."
