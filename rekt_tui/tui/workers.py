"""Which of the app's worker groups are running: the actions hide themselves while theirs runs."""

from typing import Any

from textual.app import App


def group_running(app: App[Any], group: str) -> bool:
    return any(worker.group == group and worker.is_running for worker in app.workers)
