"""The one error type users see.

Every failure a user can act on is raised as a `RektError` whose message is one
sentence that says what is wrong and how to fix it. The CLI prints it and exits with
`exit_code`; anything else escaping is a bug and is logged with its traceback.
"""


class RektError(Exception):
    """An error with a message fit to show a user as it is (no secrets, no traceback)."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(RektError):
    """Bad input from the user: arguments, config values, files they named."""

    exit_code = 2


class AfterSigning(RektError):
    """A failure once a transaction was signed and persisted: something may have happened.

    The message names each signature and what is known of its outcome, and says how it
    resolves (`rekt-tui recover`); it never says nothing was signed. Exit status 4.
    """

    exit_code = 4

    def __init__(self, message: str, signatures: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.signatures = signatures


class LightReadUnsupported(Exception):
    """A venue's light read (no client library) does not cover this account; use the full adapter."""
