"""The localnet test key file: plain JSON, acceptable only for a throwaway cluster.

When a machine has no secure keyring, localnet sessions may keep their keys in
`<data_dir>/localnet-test-keys.json` as `{pubkey: base58 secret}`. It is a
`KeyringBackend` so `Keystore` handles it exactly like a real keyring; the policy
never lets it be opened for another cluster, and `Keystore.usable_on` refuses its
keys elsewhere. Writes are atomic (a 0600 temp file in the same directory,
fsync, rename, fsync of the directory) so a crash leaves the old or the new file,
never half of one. Processes changing keys side by side are kept apart by the keystore's lock
(`Keystore._changing`), held across each whole store or delete.
"""

import json
import os
import tempfile
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from rekt_tui.keystore.errors import KeystoreError
from rekt_tui.keystore.files import fsync_directory, loose_mode_fix, readable_by_others

FILE_NAME = "localnet-test-keys.json"
STATUS_LABEL = "localnet test keys (not secure)"


class LocalnetKeyFile(KeyringBackend):
    """Keys in a 0600 JSON file; the file belongs to rekt-tui, so entries are keyed by pubkey alone."""

    # Never offered by keyring's own discovery: it needs a data dir and is insecure,
    # so only the keystore policy constructs it, for localnet.
    viable = False
    priority = -1

    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self.path = Path(data_dir) / FILE_NAME

    def __repr__(self) -> str:
        return f"<LocalnetKeyFile at {self.path}>"

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._read()
        entries[username] = password
        self._write(entries)

    def delete_password(self, service: str, username: str) -> None:
        entries = self._read()
        if entries.pop(username, None) is None:
            raise PasswordDeleteError("no such key")
        self._write(entries)

    def _read(self) -> dict[str, str]:
        try:
            with open(self.path, encoding="utf-8") as file:
                mode = os.fstat(file.fileno()).st_mode
                if readable_by_others(mode):
                    # Not chmodded for the user: a widened mode may mean someone else looked.
                    raise KeystoreError(f"the localnet key file {self.path} is not private: {loose_mode_fix(self.path, mode)}.")
                text = file.read()
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as exc:
            raise KeystoreError(
                f"cannot read the localnet key file {self.path} ({type(exc).__name__}); "
                "check its permissions, or move it aside since it only holds localnet test keys."
            ) from None
        try:
            entries = json.loads(text)
        except ValueError:
            entries = None
        if not isinstance(entries, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in entries.items()
        ):
            raise KeystoreError(
                f"the localnet key file {self.path} is damaged; "
                "move it aside (it only holds localnet test keys) and retry."
            )
        return entries

    def _write(self, entries: dict[str, str]) -> None:
        directory = self.path.parent
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{FILE_NAME}.", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as temp:
                json.dump(entries, temp, indent=1, sort_keys=True)
                temp.flush()
                os.fsync(temp.fileno())
            os.replace(temp_name, self.path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        fsync_directory(directory)
