"""A scrolling record of what the app did and what went wrong, newest at the bottom.

Notifications fade after a few seconds; this log keeps the same sentences for the rest of
the run so a missed one can still be read.
"""

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from rekt_tui.tui.activity import ActivityEntry
from rekt_tui.tui.bindings import scroll_bindings
from rekt_tui.tui.formatting import activity_line

EMPTY_ACTIVITY = "Nothing yet — orders, fills and teardown steps will be logged here."

_SEVERITY_STYLES = {"information": "", "warning": "$warning", "error": "$error bold"}


class ActivityText(Widget):
    """The log's lines as one block of text, as tall as its content so the panel scrolls."""

    entries: reactive[tuple[ActivityEntry, ...]] = reactive((), layout=True)

    def render(self) -> Content:
        if not self.entries:
            return Content.styled(EMPTY_ACTIVITY, "$text-muted")
        lines = [Content.styled(activity_line(entry), _SEVERITY_STYLES[entry.severity]) for entry in self.entries]
        return Content("\n").join(lines)


class ActivityLog(VerticalScroll, inherit_bindings=False):
    """The panel: scrolls itself, and follows the newest line."""

    ALLOW_MAXIMIZE = True
    BINDINGS = scroll_bindings("activity", "log", ("oldest", "Oldest log line"), ("newest", "Newest log line"))

    entries: reactive[tuple[ActivityEntry, ...]] = reactive(())

    def __init__(self) -> None:
        super().__init__(id="activity", classes="panel")
        self.border_title = "Activity"

    def compose(self) -> ComposeResult:
        yield ActivityText().data_bind(ActivityLog.entries)

    def on_mount(self) -> None:
        # Anchored: the view stays on the newest line as the text grows, in the same layout pass.
        self.anchor()
