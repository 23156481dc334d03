"""One signer per session at a time: an `flock` per session pubkey in the data dir.

Any number of processes may read and write the registry (SQLite serializes their
short transactions), but only one may sign for a given session at once, so two
terminals can never interleave the same session's orders or teardown. The lock is
`data_dir/locks/<pubkey>.lock`; the kernel drops it when its holder exits or is
killed, so a crash never leaves a stale lock. The holder writes its pid and command
into the file, and a waiter that gives up names them in its one sentence.

A lock belongs to an open file description, so two holders in the same process
exclude each other too (the cockpit's order and its own teardown). Within one
holder it is re-entrant: a block that holds it (a whole teardown) may call code
that takes it again (each transaction sent) without waiting on itself.
"""

import asyncio
import contextvars
import fcntl
import os
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from rekt_tui.domain.pubkey import parse_pubkey
from rekt_tui.registry.connection import filesystem_failure
from rekt_tui.registry.errors import SessionBusy

LOCKS_DIRNAME = "locks"
DEFAULT_WAIT_S = 30.0
POLL_S = 0.05
_HOLDER_BYTES = 256
_COMMAND_CHARS = 80
# The lock files this task (and the tasks it starts) hold, so taking one again is a no-op.
_held: contextvars.ContextVar[frozenset[Path]] = contextvars.ContextVar("signing_locks_held", default=frozenset())


def process_holder() -> str:
    """What this process is, for the message another one shows: its command line, or the cockpit.

    Arguments are public (pubkeys, sizes, labels; never a secret, which only prompts take).
    """
    args = " ".join(sys.argv[1:])
    return f"rekt-tui {args}"[:_COMMAND_CHARS] if args else "the rekt-tui cockpit"


def lock_path(data_dir: Path, pubkey: str) -> Path:
    # parse_pubkey keeps the name a plain base58 word: no path can be smuggled in.
    return data_dir / LOCKS_DIRNAME / f"{parse_pubkey(pubkey, 'session public key')}.lock"


def _holder_of(fd: int) -> str:
    """`<command> (pid N)` as the holder wrote it; a generic phrase if it has not yet."""
    text = os.pread(fd, _HOLDER_BYTES, 0).decode("utf-8", "replace").strip()
    pid, _, command = text.partition(" ")
    if not pid.isdigit():
        return "another rekt-tui"
    # The command came from another process: keep it printable before it reaches a terminal.
    command = "".join(ch for ch in command if ch.isprintable())[:_COMMAND_CHARS] or "another rekt-tui"
    return f"{command} (pid {pid})"


@asynccontextmanager
async def signing_lock(
    data_dir: Path, pubkey: str, *, holder: str | None = None, wait_s: float = DEFAULT_WAIT_S
) -> AsyncIterator[None]:
    """Hold session `pubkey`'s signing lock for the block, waiting up to `wait_s` for it.

    Raises SessionBusy (one sentence naming the holder) when the wait runs out.
    """
    path = lock_path(data_dir, pubkey)
    if path in _held.get():
        yield
        return
    try:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise filesystem_failure(error, data_dir) from None
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SessionBusy(pubkey, _holder_of(fd), wait_s) from None
                await asyncio.sleep(POLL_S)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {holder or process_holder()}\n".encode(), 0)
        token = _held.set(_held.get() | {path})
        try:
            yield
        finally:
            _held.reset(token)
            os.ftruncate(fd, 0)  # a waiter that reads now sees no stale holder
    finally:
        os.close(fd)  # closing the descriptor drops the flock
