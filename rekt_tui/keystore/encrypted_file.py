"""The opt-in encrypted key file (keyrings.cryptfile), for machines without an OS keyring.

Its passphrase is taken only from the prompt function the CLI passes (getpass),
never from argv or the environment, where other processes and shell history could
read it. A new file asks twice, because a mistyped passphrase would lock funded
keys away for good. A wrong passphrase is detected by cryptfile's own reference
entry, which it stores encrypted when the file is created and decrypts on open.
"""

import os
from collections.abc import Callable
from pathlib import Path

from rekt_tui.domain.status import KeystoreStatus
from rekt_tui.keystore.errors import KeystoreUnavailable
from rekt_tui.keystore.files import os_reason
from rekt_tui.keystore.store import Keystore

FILE_NAME = "cryptfile-keys.cfg"
BACKEND_ID = "cryptfile"

PromptPassphrase = Callable[[str], str]


def open_encrypted_file(data_dir: Path, prompt_passphrase: PromptPassphrase | None) -> Keystore:
    """Open (or create, after a confirmed passphrase) `<data_dir>/cryptfile-keys.cfg`."""
    if prompt_passphrase is None:
        raise KeystoreUnavailable(
            'keystore_backend = "cryptfile" needs its passphrase typed at a prompt, so it only opens '
            "from an interactive terminal; start rekt-tui in a terminal or use a desktop keyring."
        )
    backend_class = _cryptfile_class()
    path = Path(data_dir) / FILE_NAME
    creating = not path.exists() or path.stat().st_size == 0
    passphrase = _ask(prompt_passphrase, path, creating)

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if creating:
            # Create it 0600 before cryptfile writes, so it is never readable by others even briefly.
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)
    except OSError as exc:
        raise KeystoreUnavailable(
            f"cannot prepare the encrypted key file {path}: {os_reason(exc)}; check the data directory's permissions."
        ) from None
    backend = backend_class()
    backend.file_path = str(path)
    try:
        backend.keyring_key = passphrase  # reads (or writes) the encrypted reference entry
    except ValueError:  # cryptfile reports a failed MAC and a malformed entry alike
        if creating:
            path.unlink(missing_ok=True)
        raise KeystoreUnavailable(
            f"wrong passphrase for the encrypted key file {path} (or the file is damaged); "
            "start again and type the passphrase it was created with."
        ) from None
    except Exception as exc:  # noqa: BLE001 - keep the passphrase out of whatever the library says
        if creating:
            path.unlink(missing_ok=True)
        raise KeystoreUnavailable(
            f"cannot open the encrypted key file {path} ({type(exc).__name__}); "
            "it may be damaged — restore it from a backup or move it aside."
        ) from None
    status = KeystoreStatus(backend=f"encrypted key file ({path.name})", secure=True)
    return Keystore(backend, backend_id=BACKEND_ID, status=status)


def _cryptfile_class() -> type:
    fix = "install it with `pip install 'rekt-tui[cryptfile]'`"
    try:
        from keyrings.cryptfile.cryptfile import CryptFileKeyring
    except ImportError:
        raise KeystoreUnavailable(
            f'keystore_backend = "cryptfile" needs the keyrings.cryptfile package; {fix}.'
        ) from None
    if not CryptFileKeyring.viable:
        raise KeystoreUnavailable(
            f'keystore_backend = "cryptfile" needs keyrings.cryptfile with argon2-cffi and pycryptodome; {fix}.'
        )
    return CryptFileKeyring


def _ask(prompt_passphrase: PromptPassphrase, path: Path, creating: bool) -> str:
    """Ask for the passphrase (twice for a new file); refuse blanks and mismatches before creating anything."""
    try:
        if not creating:
            passphrase = prompt_passphrase(f"Passphrase for the encrypted key file {path}: ")
        else:
            passphrase = prompt_passphrase(f"New passphrase for the encrypted key file {path}: ")
            if passphrase.strip() and prompt_passphrase("Type the same passphrase again: ") != passphrase:
                raise KeystoreUnavailable(
                    "the two passphrases differ, so no encrypted key file was created; "
                    "start again and type the same passphrase twice."
                )
    except EOFError:
        raise KeystoreUnavailable(
            "no passphrase was typed for the encrypted key file; start rekt-tui in an interactive terminal."
        ) from None
    if not passphrase.strip():
        raise KeystoreUnavailable(
            "the encrypted key file needs a passphrase that is not blank; start again and type one."
        )
    return passphrase
