"""The frame every dashboard region shares: a titled border that can take focus and be zoomed,
and says how old its data is.

Focus is what the zoom binding acts on, so every panel is focusable even when it has
nothing interactive inside yet.
"""

from textual.reactive import var
from textual.widget import Widget

from rekt_tui.tui.formatting import freshness_label


class FreshnessAware(Widget):
    """A region fed by a live feed: its age is its border subtitle, and `-stale` greys it.

    Setting a subtitle repaints the whole region, children included, so the age is a `var`
    (no repaint of its own) and the subtitle is set only when its words change."""

    age_s: var[float | None] = var(None)
    stale: var[bool] = var(False)
    _freshness_shown = ""

    def watch_age_s(self) -> None:
        self._show_freshness()

    def watch_stale(self, stale: bool) -> None:
        self.set_class(stale, "-stale")
        self._show_freshness()

    def _show_freshness(self) -> None:
        label = freshness_label(self.age_s, self.stale)
        if label != self._freshness_shown:
            self._freshness_shown = self.border_subtitle = label


class Panel(FreshnessAware):
    can_focus = True
    ALLOW_MAXIMIZE = True

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(id=id, classes="panel")
        self.border_title = title
