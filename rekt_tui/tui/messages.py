"""Messages that carry data from workers up to the app, and intents from widgets up.

Workers never touch widgets: they post one of these and the app pushes the data down.
"""

from textual.message import Message

from rekt_tui.domain.status import ShellStatus


class ShellStatusLoaded(Message):
    """The services answered `shell_status()`: cluster, keystore, registry and sessions."""

    def __init__(self, status: ShellStatus) -> None:
        super().__init__()
        self.status = status
