"""`Registry`: the one repository API over the local SQLite registry.

The registry is the intent and audit log of every session wallet, transaction,
order and teardown step; the chain stays the truth. Any number of processes may
open and write it; what must be exclusive is signing for one session, which
`signing_lock` guards. Opening checks the file against data_dir/registry.id and
refuses a registry that vanished, was emptied, swapped or rolled back.
"""

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import aiosqlite

from rekt_tui.registry.brackets import BracketRepository
from rekt_tui.registry.connection import (
    REGISTRY_FILENAME,
    filesystem_failure,
    open_reader,
    open_writer,
    prepare_data_dir,
    require_sqlite_version,
)
from rekt_tui.registry.errors import RegistryLost
from rekt_tui.registry.guard_state import GuardStateRepository
from rekt_tui.registry.migrations import MIGRATIONS, Migration, migrate
from rekt_tui.registry.records import RecordRepository
from rekt_tui.registry.sentinel import check_registry, publish_stamp, read_identity, read_sentinel
from rekt_tui.registry.sessions import SessionRepository
from rekt_tui.registry.trading import TradingRepository
from rekt_tui.registry.transactions import TransactionRepository


class Registry(
    SessionRepository, TradingRepository, TransactionRepository, RecordRepository, GuardStateRepository,
    BracketRepository,
):
    """Open with `await Registry.open(data_dir)`; use as `async with` to close it."""

    @classmethod
    async def open(
        cls,
        data_dir: Path,
        *,
        read_only: bool = False,
        migrations: Sequence[Migration] = MIGRATIONS,
        max_page_count: int | None = None,
        adopt: bool = False,
    ) -> "Registry":
        """Open data_dir/registry.sqlite3, migrating it to `len(migrations)` unless read-only.

        `adopt` skips the check against registry.id and makes this file the one it
        records: only a deliberate rebuild passes it. `migrations` replaces the
        built-in list (tests inject their own). `max_page_count` caps the database's
        size in pages for this connection: a safety knob, and the way tests provoke
        "disk full" without filling a disk.
        """
        require_sqlite_version()
        db_path = data_dir / REGISTRY_FILENAME
        if read_only:
            _refuse_if_gone(db_path, adopt=adopt)
            conn = await open_reader(db_path, len(migrations))
            try:
                await _checked(conn, db_path, adopt=adopt)
            except BaseException:
                await conn.close()
                raise
            return cls(conn, db_path, len(migrations), read_only=True)
        try:
            prepare_data_dir(data_dir)
            _refuse_if_gone(db_path, adopt=adopt)
            conn, found = await open_writer(db_path, len(migrations), max_page_count=max_page_count)
            try:
                await _checked(conn, db_path, adopt=adopt)
                version = await migrate(conn, db_path, found, migrations)
                stamp = await read_identity(conn)
                if stamp is not None:  # a new registry, one from before registry.id, or an adopted one
                    publish_stamp(data_dir, stamp, replace_identity=adopt)
            except BaseException:
                await conn.close()
                raise
        except OSError as error:  # creating the file or a backup
            raise filesystem_failure(error, data_dir) from None
        return cls(conn, db_path, version, read_only=False)

    async def __aenter__(self) -> "Registry":
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


def _refuse_if_gone(db_path: Path, *, adopt: bool) -> None:
    """Before SQLite touches the file: one registry.id vouches for must still be there, and not empty."""
    if adopt or read_sentinel(db_path.parent) is None:
        return
    if not db_path.is_file() or db_path.stat().st_size == 0:
        raise RegistryLost(db_path, "is missing or empty")


async def _checked(conn: aiosqlite.Connection, db_path: Path, *, adopt: bool) -> None:
    """Refuse the file unless it is the registry registry.id last saw (or is being adopted)."""
    if adopt:
        return
    check_registry(db_path, read_sentinel(db_path.parent), await read_identity(conn))
