"""`Registry`: the one repository API over the local SQLite registry.

The registry is the intent and audit log of every session wallet, transaction,
order and teardown step; the chain stays the truth. One process writes it (the one
holding data_dir/registry.lock); any other instance gets a read-only registry that
says why, so two apps can never interleave teardowns of the same session.
"""

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from rekt_tui.registry.connection import (
    REGISTRY_FILENAME,
    WriterLock,
    filesystem_failure,
    open_reader,
    open_writer,
    prepare_data_dir,
    require_sqlite_version,
)
from rekt_tui.registry.core import REQUESTED_READ_ONLY_REASON
from rekt_tui.registry.migrations import MIGRATIONS, Migration, migrate
from rekt_tui.registry.sessions import SessionRepository
from rekt_tui.registry.trading import TradingRepository
from rekt_tui.registry.transactions import TransactionRepository


class Registry(SessionRepository, TradingRepository, TransactionRepository):
    """Open with `await Registry.open(data_dir)`; use as `async with` to close it."""

    @classmethod
    async def open(
        cls,
        data_dir: Path,
        *,
        read_only: bool = False,
        migrations: Sequence[Migration] = MIGRATIONS,
        max_page_count: int | None = None,
    ) -> "Registry":
        """Open data_dir/registry.sqlite3, migrating it to `len(migrations)` if this is the writer.

        Opens read-only when asked, or when another process holds the writer lock.
        `migrations` replaces the built-in list (tests inject their own).
        `max_page_count` caps the database's size in pages for this connection: a
        safety knob, and the way tests provoke "disk full" without filling a disk.
        """
        require_sqlite_version()
        db_path = data_dir / REGISTRY_FILENAME
        if read_only:
            return await cls._open_read_only(db_path, migrations, REQUESTED_READ_ONLY_REASON)
        try:
            prepare_data_dir(data_dir)
            lock = WriterLock.try_acquire(data_dir)
        except OSError as error:
            raise filesystem_failure(error, data_dir) from None
        if not isinstance(lock, WriterLock):
            return await cls._open_read_only(db_path, migrations, lock.read_only_reason)
        try:
            conn, found = await open_writer(db_path, len(migrations), max_page_count=max_page_count)
            try:
                version = await migrate(conn, db_path, found, migrations)
            except BaseException:
                await conn.close()
                raise
        except OSError as error:  # creating the file or a backup
            lock.release()
            raise filesystem_failure(error, data_dir) from None
        except BaseException:
            lock.release()
            raise
        return cls(conn, db_path, version, writer_lock=lock, read_only_reason=None)

    @classmethod
    async def _open_read_only(cls, db_path: Path, migrations: Sequence[Migration], reason: str) -> "Registry":
        conn = await open_reader(db_path, len(migrations))
        return cls(conn, db_path, len(migrations), writer_lock=None, read_only_reason=reason)

    async def __aenter__(self) -> "Registry":
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
