"""Registry failures, each a one-sentence `RektError` that says what happened and the fix.

Messages name files, pubkeys and signatures (all public) and never carry SQL, row
contents or tracebacks.
"""

from pathlib import Path

from rekt_tui.domain.errors import RektError


class RegistryError(RektError):
    """Anything the registry refuses or cannot do."""


class RegistryReadOnly(RegistryError):
    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(f"Nothing was changed: {reason}; {fix}.")


class RegistryTooNew(RegistryError):
    def __init__(self, path: Path, found: int, known: int) -> None:
        super().__init__(
            f"The registry {path} was written by a newer rekt-tui (schema v{found}, "
            f"this one knows v{known}); upgrade rekt-tui."
        )


class RegistryNeedsUpgrade(RegistryError):
    """A read-only open found an older schema, which only the writer may migrate."""

    def __init__(self, path: Path, found: int, known: int) -> None:
        super().__init__(
            f"The registry {path} is at schema v{found} but this rekt-tui needs v{known}, which a "
            "read-only open cannot upgrade; start rekt-tui once with no other instance running."
        )


class RegistryCorrupt(RegistryError):
    def __init__(self, path: Path, backups: Path, detail: str) -> None:
        super().__init__(
            f"The registry {path} is damaged ({detail}); move it aside and restore the newest "
            f"copy from {backups}."
        )


class RegistryDiskFull(RegistryError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The registry {path} could not be written because the disk is full; "
            "free space and retry; nothing was changed."
        )


class MigrationFailed(RegistryError):
    def __init__(self, path: Path, version: int, description: str, detail: str) -> None:
        super().__init__(
            f"Upgrading the registry {path} to schema v{version} ({description}) failed "
            f"({detail}) and was rolled back, leaving it unchanged at v{version - 1}; "
            "keep using the previous rekt-tui and report this error."
        )


class RecordNotFound(RegistryError):
    """A row looked up by its key is not there."""


class SessionNotFound(RecordNotFound):
    def __init__(self, pubkey: str) -> None:
        super().__init__(
            f"No session with pubkey {pubkey} is in the registry; check the address against the session list."
        )


class TransactionNotFound(RecordNotFound):
    def __init__(self, signature: str) -> None:
        super().__init__(f"No transaction with signature {signature} is in the registry; check the signature.")


class SessionExists(RegistryError):
    def __init__(self, pubkey: str) -> None:
        super().__init__(
            f"A session with pubkey {pubkey} is already in the registry; pick it from the "
            "session list instead of creating it again."
        )


class InvalidStatusTransition(RegistryError):
    """A status change (or deletion) the lifecycle does not allow; the caller words it."""


class UserOrderIdInUse(RegistryError):
    def __init__(self, pubkey: str, user_order_id: int) -> None:
        super().__init__(
            f"Session {pubkey} already has a live order with user_order_id {user_order_id}; "
            "pick an id no pending or open order uses."
        )
