"""The frame every dashboard region shares: a titled border that can take focus and be zoomed.

Focus is what the zoom binding acts on, so every panel is focusable even when it has
nothing interactive inside yet.
"""

from textual.widget import Widget


class Panel(Widget):
    can_focus = True
    ALLOW_MAXIMIZE = True

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(id=id, classes="panel")
        self.border_title = title
