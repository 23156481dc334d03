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


class SessionBusy(RegistryError):
    """Another signer held the session's signing lock for the whole wait."""

    def __init__(self, pubkey: str, holder: str, waited_s: float) -> None:
        super().__init__(
            f"Nothing was signed: {holder} is signing for session {pubkey} and still was after "
            f"{waited_s:g} s; wait for it to finish (or stop it) and retry."
        )


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
            "read-only open cannot upgrade; run rekt-tui once without read-only mode to upgrade it."
        )


BACKUPS_DIRNAME = "backups"


def restore_fix(db_path: Path) -> str:
    """How to get a registry back: the backups folder only when it holds a copy to restore."""
    backups = db_path.parent / BACKUPS_DIRNAME
    rebuild = "`rekt-tui recover --rebuild` to rebuild its sessions from the keystore and the chain"
    if backups.is_dir() and any(backups.glob("registry-*.sqlite3")):
        return f"restore the newest copy from {backups}, or run {rebuild}"
    return f"restore a copy you kept, or run {rebuild}"


class RegistryCorrupt(RegistryError):
    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"The registry {path} is damaged ({detail}); {restore_fix(path)}.")


class RegistryLost(RegistryError):
    """The registry file is not the one this data dir last wrote: gone, emptied, swapped or rolled back.

    Opening it anyway would show a false all-clear while sessions may hold funds, so
    it is refused; `recover --rebuild` is the deliberate way past.
    """

    def __init__(self, path: Path, what: str) -> None:
        super().__init__(
            f"The registry {path} {what}, so sessions holding funds may be missing from it and nothing "
            f"was opened; {restore_fix(path)}."
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
