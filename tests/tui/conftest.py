"""Real services for the TUI tests: real settings, registry and localnet key file in tmp dirs.

Nothing is faked: the app gets the same `Services` the CLI builds. Wallets come from
fixed seeds so their addresses, and therefore the snapshots, are the same every run.
"""

import io
import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from solders.keypair import Keypair
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from rekt_tui.config import Settings, load_settings
from rekt_tui.domain.session import SessionRecord
from rekt_tui.services.container import Services
from rekt_tui.tui.app import RektApp

FIXED_NOW = datetime(2026, 4, 2, 9, 30, 0)


def make_settings(tmp_path: Path, **flags: Any) -> Settings:
    """Settings that ignore the developer's config file and REKT_* variables."""
    config = tmp_path / "config.toml"
    config.touch()
    return load_settings(
        config_path=config,
        environ={},
        flags={"data_dir": tmp_path / "data", "keystore_backend": "localnet-file", **flags},
    )


def make_app(services: Services, *, reconcile_at_launch: bool = False, book_at_launch: bool = False) -> RektApp:
    """Launch reconciliation and the book at launch are off unless asked: these wallets have no chain
    behind them, and a frame must not depend on whatever answers on the default ports."""
    app = RektApp(services=services, clock=lambda: FIXED_NOW, reconcile_at_launch=reconcile_at_launch)
    app.dashboard.feeds.book_at_launch = book_at_launch
    return app


async def add_wallet(services: Services, tmp_path: Path, seed: int, label: str) -> SessionRecord:
    """A session wallet from a fixed seed, adopted through the real wallet service."""
    key_file = tmp_path / f"seed-{seed}.json"
    key_file.write_text(json.dumps(list(bytes(Keypair.from_seed(bytes([seed]) * 32)))))
    key_file.chmod(0o600)  # a key file others can read is refused
    wallets = await services.wallets()
    return await wallets.import_file(key_file, label=label)


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    opened = await Services.open(make_settings(tmp_path))
    yield opened
    await opened.close()


@pytest.fixture
async def mainnet_services(tmp_path: Path) -> AsyncIterator[Services]:
    opened = await Services.open(make_settings(tmp_path, cluster="mainnet", allow_mainnet=True))
    yield opened
    await opened.close()


def text_of(widget: Widget) -> str:
    """What a widget and its visible descendants display, as plain text (wrapped at 200 columns)."""
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    for node in (widget, *widget.query(Widget)):
        if not node.display:
            continue
        if isinstance(node, Static):
            content = node.content
            console.print(Text(content) if isinstance(content, str) else content)
        else:
            rendered = node.render()
            if isinstance(rendered, Content):
                console.print(Text(rendered.plain))
    return console.export_text()


class MessageLog:
    """A `message_hook` that keeps every message the app processed."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def __call__(self, message: Message) -> None:
        self.messages.append(message)

    def of_type(self, kind: type[Message]) -> list[Any]:
        return [message for message in self.messages if isinstance(message, kind)]


@pytest.fixture
def message_log() -> MessageLog:
    return MessageLog()
