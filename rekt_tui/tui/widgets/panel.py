"""The frame every dashboard region shares: a titled border that can take focus and be zoomed,
and says how old its data is.

Focus is what the zoom binding acts on, so every panel is focusable even when it has
nothing interactive inside yet.
"""

from textual.reactive import reactive
from textual.widget import Widget

from rekt_tui.tui.formatting import freshness_label


class FreshnessAware(Widget):
    """A region fed by a live feed: its age is its border subtitle, and `-stale` greys it."""

    age_s: reactive[float | None] = reactive(None)
    stale: reactive[bool] = reactive(False)

    def watch_age_s(self) -> None:
        self.border_subtitle = freshness_label(self.age_s, self.stale)

    def watch_stale(self, stale: bool) -> None:
        self.set_class(stale, "-stale")
        self.border_subtitle = freshness_label(self.age_s, stale)


class Panel(FreshnessAware):
    can_focus = True
    ALLOW_MAXIMIZE = True

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(id=id, classes="panel")
        self.border_title = title
