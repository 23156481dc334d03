"""Spot fills in the registry: migration 9 widens the records' kinds, keeps every record and
its id, and drops each history cursor so the next backfill reads the history once more (a
stop's sale of SOL read before this version was not kept); a perp market's records never
include a spot market's fills of the same index."""

import sqlite3
from pathlib import Path

import pytest

from rekt_tui.domain.history import ChainRecord, RecordKind
from rekt_tui.domain.session import SessionStatus
from rekt_tui.registry import MIGRATIONS, Registry

SPOT_VERSION = 9  # the migration that brought spot fills


def fill(signature: str, index: int, kind: RecordKind = RecordKind.FILL, market: int = 1) -> ChainRecord:
    return ChainRecord(signature, index, 10 + index, 1_700_000_000, kind, market, base=-10**7, quote=1_499_000,
                       fee=1_499, role="taker", order_id=3)  # fmt: skip


async def test_migration_9_keeps_the_records_and_reads_every_history_once_more(data_dir: Path, db_path: Path):
    assert MIGRATIONS[SPOT_VERSION - 1].statements[-1] == "DELETE FROM record_cursors"
    async with await Registry.open(data_dir, migrations=MIGRATIONS[: SPOT_VERSION - 1]) as old:
        await old.create_session(pubkey="pk", cluster="localnet", label="", key_backend="localnet-file")
        await old.set_session_status("pk", SessionStatus.ACTIVE)
        await old.add_records("pk", [fill("a", 0), fill("a", 2)], cursor="a")
        assert await old.get_record_cursor("pk") == "a"
    with sqlite3.connect(db_path) as conn:
        ids = conn.execute("SELECT id, signature, record_index FROM records ORDER BY id").fetchall()
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):  # the old table refuses the new kind
            conn.execute("INSERT INTO records SELECT NULL, session_id, 'b', 1, slot, ts, 'spot_fill', market_index, "
                         "base, quote, fee, realized_pnl, amount, role, order_id, liquidation FROM records LIMIT 1")

    async with await Registry.open(data_dir) as registry:
        assert registry.schema_version == SPOT_VERSION
        assert await registry.get_record_cursor("pk") is None  # the next backfill starts from the beginning
        # The re-read finds the same records again (nothing doubled) and the spot fill the old one dropped.
        again = [fill("a", 0), fill("a", 1, RecordKind.SPOT_FILL), fill("a", 2)]
        assert await registry.add_records("pk", again, cursor="a") == 1
        assert await registry.get_record_cursor("pk") == "a"
        stored = await registry.list_records("pk")
        assert [(r.key, r.kind) for r in stored] == [
            (("a", 0), RecordKind.FILL), (("a", 1), RecordKind.SPOT_FILL), (("a", 2), RecordKind.FILL),
        ]  # fmt: skip
        assert stored[1] == again[1]
    with sqlite3.connect(db_path) as conn:
        kept = conn.execute("SELECT id, signature, record_index FROM records WHERE kind = 'fill' ORDER BY id")
        assert kept.fetchall() == ids
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'records'")} >= {
            "records", "records_by_session",
        }  # fmt: skip


async def test_a_perp_markets_records_leave_out_the_spot_market_of_the_same_index(registry):
    await registry.create_session(pubkey="pk", cluster="localnet", label="", key_backend="localnet-file")
    records = [
        fill("s", 0),  # perp market 1
        fill("s", 1, RecordKind.SPOT_FILL),  # spot market 1: SOL
        ChainRecord("s", 2, 12, 1, RecordKind.DEPOSIT, 1, amount=10**9),
        ChainRecord("s", 3, 13, 1, RecordKind.FUNDING, 1, amount=-5),
    ]
    await registry.add_records("pk", records, cursor="s")
    assert [r.index for r in await registry.list_records("pk", market_index=1)] == [0, 3]
    assert [r.index for r in await registry.list_records("pk")] == [0, 1, 2, 3]
