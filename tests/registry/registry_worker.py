"""A separate process that uses the real Registry, for tests that kill it or compete with it.

    registry_worker.py write DATA_DIR ROUND    commit units of work forever, printing "ACK n" after each
    registry_worker.py migrate DATA_DIR ROWS   open with a long extra migration, printing "MIGRATED" when done
    registry_worker.py hold DATA_DIR PUBKEY    write, then sign for PUBKEY (its lock) until a line arrives on stdin

The tests import this file too, so what a unit contains and how to check one is
written once, here.
"""

import asyncio
import hashlib
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from rekt_tui.domain.records import BalanceSnapshot, PositionSnapshot
from rekt_tui.domain.session import SessionStatus
from rekt_tui.registry import MIGRATIONS, Migration, Registry

TRANSACTIONS_PER_UNIT = 3
POSITIONS_PER_SNAPSHOT = 4
STEPS_PER_UNIT = 2
# create, each transaction, the snapshot, each teardown step, the promotion to active
CALLS_PER_UNIT = 1 + TRANSACTIONS_PER_UNIT + 1 + STEPS_PER_UNIT + 1
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
HELD_SESSION = "held-by-the-writer"


def unit_pubkey(round_: int, n: int) -> str:
    return f"round{round_}-unit{n}"


def raw_tx(pubkey: str, j: int) -> bytes:
    """4 KiB of bytes unique to the transaction, so a torn write cannot look whole."""
    seed = hashlib.sha256(f"{pubkey}/{j}".encode()).digest()
    return seed * 128


def signature(pubkey: str, j: int) -> str:
    return f"{pubkey}-tx{j}"


def snapshot(pubkey: str, n: int) -> BalanceSnapshot:
    big = 2**62 + n  # far beyond float precision: proves the exact integer path
    return BalanceSnapshot(
        session_pubkey=pubkey,
        taken_at=EPOCH,
        slot=n,
        sol_lamports=big,
        total_collateral_quote=-big,
        free_collateral_quote=n,
        unrealized_pnl_quote=-n,
        usdc_spot_amount=big - 1,
        sol_spot_amount=1 - big,
        positions=tuple(
            PositionSnapshot(i, big - i, -big + i, i, -i, None if i % 2 else big) for i in range(POSITIONS_PER_SNAPSHOT)
        ),
    )


async def write_unit(registry: Registry, round_: int, n: int) -> None:
    pubkey = unit_pubkey(round_, n)
    await registry.create_session(pubkey=pubkey, cluster="localnet", label=f"unit {n}", key_backend="localnet-file")
    for j in range(TRANSACTIONS_PER_UNIT):
        await registry.record_transaction(
            pubkey,
            kind="deposit",
            intent=json.dumps({"unit": n, "j": j}),
            signature=signature(pubkey, j),
            raw_tx=raw_tx(pubkey, j),
            last_valid_block_height=1000 + j,
        )
    await registry.add_balance_snapshot(snapshot(pubkey, n))
    for seq in range(STEPS_PER_UNIT):
        await registry.add_teardown_step(pubkey, run_id=f"{pubkey}-run", seq=seq, step=f"step{seq}")
    await registry.set_session_status(pubkey, SessionStatus.ACTIVE)


async def calls_committed(registry: Registry, round_: int, n: int) -> list[bool]:
    """Which of the unit's calls left their rows, in call order; asserts each present row is whole."""
    pubkey = unit_pubkey(round_, n)
    session = await registry.get_session(pubkey)
    done = [session is not None]
    for j in range(TRANSACTIONS_PER_UNIT):
        tx = await registry.get_transaction(signature(pubkey, j))
        done.append(tx is not None)
        if tx is not None:
            assert (tx.raw_tx, json.loads(tx.intent), tx.last_valid_block_height) == (
                raw_tx(pubkey, j),
                {"unit": n, "j": j},
                1000 + j,
            )
    latest = await registry.latest_balance_snapshot(pubkey)
    done.append(latest is not None)
    if latest is not None:
        assert latest == snapshot(pubkey, n)
    steps = await registry.list_teardown_steps(f"{pubkey}-run")
    assert [step.seq for step in steps] == list(range(len(steps)))
    done.extend(seq < len(steps) for seq in range(STEPS_PER_UNIT))
    done.append(session is not None and session.status is SessionStatus.ACTIVE)
    return done


def long_migrations(rows: int) -> tuple[Migration, ...]:
    """The real schema plus a v2 that bulk-loads `rows` rows before its DDL: slow enough to be killed in."""
    bulk = Migration(
        "bulk load, then change the schema",
        (
            "CREATE TABLE bulk (n INTEGER NOT NULL) STRICT",
            "INSERT INTO bulk (n) WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c "
            f"WHERE n < {rows:d}) SELECT n FROM c",
            "ALTER TABLE sessions ADD COLUMN bulk_marker INTEGER NOT NULL DEFAULT 7",
            "CREATE TABLE after_bulk (id INTEGER PRIMARY KEY) STRICT",
        ),
    )
    return (*MIGRATIONS, bulk)


def say(line: str) -> None:
    print(line, flush=True)


async def run_writer(data_dir: Path, round_: int) -> None:
    async with await Registry.open(data_dir) as registry:
        assert not registry.read_only, registry.read_only_reason
        say("READY")
        n = 0
        while True:
            await write_unit(registry, round_, n)
            say(f"ACK {n}")
            n += 1


async def run_migration(data_dir: Path, rows: int) -> None:
    say("OPENING")
    async with await Registry.open(data_dir, migrations=long_migrations(rows)):
        say("MIGRATED")


async def hold_signing(data_dir: Path, pubkey: str) -> None:
    async with await Registry.open(data_dir) as registry:
        assert not registry.read_only, registry.read_only_reason
        await registry.create_session(
            pubkey=HELD_SESSION, cluster="localnet", label="held", key_backend="another-backend"
        )
        async with registry.signing_lock(pubkey, holder="rekt-tui stop", wait_s=0):
            say(f"SIGNING {os.getpid()}")
            await asyncio.to_thread(sys.stdin.readline)
        say("RELEASED")


def main(argv: list[str]) -> None:
    command, data_dir = argv[0], Path(argv[1])
    if command == "write":
        asyncio.run(run_writer(data_dir, int(argv[2])))
    elif command == "migrate":
        asyncio.run(run_migration(data_dir, int(argv[2])))
    elif command == "hold":
        asyncio.run(hold_signing(data_dir, argv[2]))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
