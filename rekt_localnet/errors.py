"""The localnet's own error types: one sentence fit to show whoever started the localnet.

The localnet is a separate package that knows nothing of the product; the product turns
these into its own errors where it starts, stops or queries a localnet.
"""


class LocalnetError(Exception):
    """The localnet cannot do what was asked; the message says why and how to fix it."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class LocalnetUsageError(LocalnetError):
    """A bad setting or argument given to the localnet (a port, a fault spec, a file)."""

    exit_code = 2
