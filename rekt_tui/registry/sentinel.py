"""`data_dir/registry.id`: the registry's identity and write generation, kept outside it.

A registry that vanished, was truncated, swapped for another file or rolled back
(an old copy restored, or its WAL deleted before a checkpoint) still opens as a
valid SQLite file, and an empty one would say "nothing to recover" while sessions
hold funds. So every write transaction bumps a generation inside the database, and
after it commits the same number is written here. The database is always committed
first, so this file never runs ahead of a healthy registry: at open, a database
behind it, with another id, or with no id at all is refused.

The file holds no secret: a random id and a count.
"""

import fcntl
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from rekt_tui.registry.errors import RegistryError, RegistryLost

log = logging.getLogger(__name__)

SENTINEL_FILENAME = "registry.id"


@dataclass(frozen=True)
class Stamp:
    registry_id: str
    generation: int


def sentinel_path(data_dir: Path) -> Path:
    return data_dir / SENTINEL_FILENAME


def read_sentinel(data_dir: Path) -> Stamp | None:
    """The last stamp written, or None when there is none (a new data dir, or one from before it existed)."""
    path = sentinel_path(data_dir)
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise RegistryError(
            f"The registry's companion file {path} could not be read ({type(error).__name__}); "
            "check its permissions and retry."
        ) from None
    try:
        data = json.loads(text)
        stamp = Stamp(str(data["registry_id"]), int(data["generation"]))
    except (ValueError, KeyError, TypeError):
        raise RegistryError(
            f"The registry's companion file {path} is damaged; if the registry beside it is the one you "
            f"use, delete {path} and retry."
        ) from None
    return stamp


async def read_identity(conn: aiosqlite.Connection) -> Stamp | None:
    """The database's own stamp; None when its schema predates identities."""
    async with conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'registry_identity'"
    ) as cursor:
        if await cursor.fetchone() is None:
            return None
    async with conn.execute("SELECT registry_id, generation FROM registry_identity") as cursor:
        row = await cursor.fetchone()
    return None if row is None else Stamp(str(row[0]), int(row[1]))


async def bump_generation(conn: aiosqlite.Connection) -> Stamp | None:
    """Inside a write transaction: count it; None on a schema without identities."""
    try:
        async with conn.execute(
            "UPDATE registry_identity SET generation = generation + 1 RETURNING registry_id, generation"
        ) as cursor:
            row = await cursor.fetchone()
    except aiosqlite.OperationalError:
        return None  # no such table: a schema older than v3 (tests pin old migrations)
    return None if row is None else Stamp(str(row[0]), int(row[1]))


def check_registry(db_path: Path, expected: Stamp | None, found: Stamp | None) -> None:
    """Refuse a database that is not the one the sentinel last saw; a fresh data dir passes."""
    if expected is None:
        return
    name = sentinel_path(db_path.parent).name
    if found is None:
        raise RegistryLost(db_path, f"is missing, empty or from before {name} was written")
    if found.registry_id != expected.registry_id:
        raise RegistryLost(db_path, f"is another registry than the one {name} records")
    if found.generation < expected.generation:
        raise RegistryLost(
            db_path,
            f"has been rolled back ({found.generation} writes, but {expected.generation} were committed; "
            "an old copy or a deleted -wal file)",
        )


def publish_stamp(data_dir: Path, stamp: Stamp, *, replace_identity: bool = False) -> None:
    """Record `stamp` unless the file already holds it or a later one of the same registry.

    Writers in several processes race here, so the read-compare-write runs under an
    flock and the generation only ever grows. Another identity is only overwritten
    when asked (a rebuild adopting the registry it made).
    """
    path = sentinel_path(data_dir)
    fd = os.open(data_dir, os.O_RDONLY)  # the folder is the lock: no extra file to leave behind
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            current = read_sentinel(data_dir)
        except RegistryError:
            current = None  # a damaged file is replaced by the database's own stamp
        if current is not None:
            if current.registry_id != stamp.registry_id and not replace_identity:
                log.warning("left %s alone: it records another registry", path)
                return
            if current.registry_id == stamp.registry_id and current.generation >= stamp.generation:
                return
        _write_atomically(path, json.dumps({"registry_id": stamp.registry_id, "generation": stamp.generation}))
    finally:
        os.close(fd)  # drops the flock


def _write_atomically(path: Path, text: str) -> None:
    # The contents are fsynced so a crash cannot leave a renamed but empty file; the
    # directory is not: after a crash the older stamp is harmless (the database is
    # ahead and the next write catches up).
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as temp:
            temp.write(text + "\n")
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
