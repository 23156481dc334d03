"""Full-width notices that must not be missed: mainnet, and a registry this window cannot write."""

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from rekt_tui.tui.formatting import MAINNET_BANNER, read_only_notice


class MainnetBanner(Widget):
    """Shown for as long as the cluster is mainnet; there is no way to dismiss it."""

    mainnet: reactive[bool] = reactive(False)

    def __init__(self) -> None:
        super().__init__(id="mainnet-banner")

    def render(self) -> Content:
        return Content(MAINNET_BANNER)

    def watch_mainnet(self, mainnet: bool) -> None:
        self.display = mainnet


class ReadOnlyNotice(Widget):
    """Another process owns the registry: this window may look but must not act."""

    read_only_reason: reactive[str | None] = reactive(None)

    def __init__(self) -> None:
        super().__init__(id="read-only-notice")

    def render(self) -> Content:
        return Content(read_only_notice(self.read_only_reason or ""))

    def watch_read_only_reason(self, reason: str | None) -> None:
        self.display = reason is not None
