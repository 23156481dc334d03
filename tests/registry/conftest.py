"""Fixtures for the registry tests: real SQLite files under tmp_path, real processes."""

import importlib.util
import itertools
import os
import re
import select
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from rekt_tui.domain.pubkey import b58encode
from rekt_tui.registry import REGISTRY_FILENAME, Registry

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("registry_worker.py")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def db_path(data_dir: Path) -> Path:
    return data_dir / REGISTRY_FILENAME


@pytest.fixture
async def registry(data_dir: Path) -> AsyncIterator[Registry]:
    opened = await Registry.open(data_dir)
    yield opened
    await opened.close()


@pytest.fixture
def new_pubkey() -> Callable[[], str]:
    """Distinct, well-formed base58 pubkeys."""
    counter = itertools.count(1)
    return lambda: b58encode(next(counter).to_bytes(32, "big"))


@pytest.fixture
def one_sentence() -> Callable[[BaseException], str]:
    """Assert an error reads as one sentence a user can act on; return its text."""

    def check(error: BaseException) -> str:
        text = str(error)
        assert "\n" not in text and "Traceback" not in text, text
        assert text.endswith("."), text
        # A sentence boundary is ". " followed by a capital; paths like registry.sqlite3 are not.
        assert not re.search(r"[.!?] [A-Z]", text[:-1]), text
        return text

    return check


@pytest.fixture
def raw_db(db_path: Path) -> Iterator[Callable[[], sqlite3.Connection]]:
    """A plain sqlite3 connection to the registry file, for checks below the API."""
    opened: list[sqlite3.Connection] = []

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(db_path, isolation_level=None)
        opened.append(conn)
        return conn

    yield connect
    for conn in opened:
        conn.close()


@pytest.fixture(scope="session")
def worker_module() -> ModuleType:
    """registry_worker.py, imported by path so the tests share its definition of a unit."""
    spec = importlib.util.spec_from_file_location("registry_worker", WORKER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def spawn_worker() -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start registry_worker.py in its own process; any still running at teardown is killed."""
    started: list[subprocess.Popen[str]] = []
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}

    def spawn(*args: object) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, str(WORKER), *map(str, args)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        started.append(process)
        return process

    yield spawn
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()


@pytest.fixture
def read_line() -> Callable[..., str]:
    """The worker's next line of output, failing the test if none comes in time."""

    def read(process: subprocess.Popen[str], timeout: float = 15.0) -> str:
        ready, _, _ = select.select([process.stdout], [], [], timeout)
        if not ready:
            pytest.fail(f"the worker said nothing for {timeout}s")
        line = process.stdout.readline()
        if not line:
            pytest.fail(f"the worker exited ({process.wait()}): {process.stderr.read()}")
        return line.strip()

    return read
