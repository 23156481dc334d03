"""Which session a command means when none is named: the only active one; a read such as
`report` right after a stop (nothing active any more) means the one created last."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from rekt_tui.domain.errors import RektError
from rekt_tui.domain.session import SessionStatus
from rekt_tui.services.link import pick_session
from rekt_tui.services.container import Services
from tests.tui.conftest import add_wallet, make_settings


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    opened = await Services.open(make_settings(tmp_path))
    yield opened
    await opened.close()


async def test_a_read_after_the_stop_means_the_session_created_last(services, tmp_path):
    first = await add_wallet(services, tmp_path, 3, "first")
    second = await add_wallet(services, tmp_path, 4, "second")
    for session in (first, second):
        await services.registry.set_session_status(session.pubkey, SessionStatus.ARCHIVED)

    with pytest.raises(RektError, match="No active session wallet on localnet"):
        await pick_session(services, None)  # a command that acts needs an active session
    assert (await pick_session(services, None, or_newest=True)).pubkey == second.pubkey

    await services.registry.set_session_status(first.pubkey, SessionStatus.ACTIVE)
    assert (await pick_session(services, None, or_newest=True)).pubkey == first.pubkey  # the active one first


async def test_no_session_at_all_is_one_sentence_even_for_a_read(services):
    with pytest.raises(RektError, match="create one with `rekt-tui wallet new`"):
        await pick_session(services, None, or_newest=True)
