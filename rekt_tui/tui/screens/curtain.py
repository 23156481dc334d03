"""An empty opaque screen pushed under each full screen opened over the dashboard.

Textual counts the screen just below the top one as visible whatever covers it, and while that
screen has dirty regions it repaints the top screen's whole area at every idle moment: the
dashboard, ticking under the market screen, made it write about 60 frames a second. With this
screen between, the dashboard is not that screen. The curtain leaves with the screen it was
pushed under, however that one closes: back on top, it pops itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.screen import Screen


class Curtain(Screen[None]):
    def on_screen_resume(self) -> None:
        if self.app.screen is self:  # what it was under has gone (on its push, that one is on top already)
            self.app.pop_screen()


def push_full_screen(app: App[Any], screen: Screen[Any], callback: Callable[[Any], None] | None = None) -> None:
    """Push `screen` over what is on top, a curtain between them."""
    app.push_screen(Curtain())
    app.push_screen(screen, callback)
