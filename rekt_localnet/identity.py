"""Which ledger a data dir holds, read without opening (or locking) the ledger.

The product compares this with what answers at the localnet's port before it trusts
that server with the localnet's keys: anything else may be listening there.
"""

import sqlite3
from pathlib import Path

LEDGER_DIR = "localnet"  # under the data dir
LEDGER_FILE = "ledger.sqlite3"
GENESIS_HASH = "genesis_hash"  # its key in the ledger's identity table


def ledger_genesis_hash(data_dir: Path) -> str | None:
    """The genesis hash recorded in `data_dir`'s localnet ledger; None if it has none."""
    path = Path(data_dir) / LEDGER_DIR / LEDGER_FILE
    if not path.is_file():
        return None
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error:
        return None
    try:
        row = db.execute("SELECT value FROM identity WHERE key = ?", (GENESIS_HASH,)).fetchone()
    except sqlite3.Error:
        return None
    finally:
        db.close()
    return None if row is None else str(row[0])
