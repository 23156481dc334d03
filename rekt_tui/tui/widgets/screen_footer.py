"""The footer of every screen but the dashboard's (which has `KeyBar`).

Compact, and without the command palette's key (ctrl+p stays bound and is listed in help):
at 80 columns Textual's default spacing and the palette's entry cut a screen's own keys.
"""

from textual.widgets import Footer


class ScreenFooter(Footer):
    def __init__(self) -> None:
        super().__init__(compact=True, show_command_palette=False)
