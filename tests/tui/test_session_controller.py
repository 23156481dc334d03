"""The session controller before any link: nothing to sign with, and it says so in one sentence."""

import pytest

from rekt_tui.domain.errors import RektError
from rekt_tui.tui.chain import ChainLoader
from rekt_tui.tui.session_controller import NO_SESSION, SessionController


async def test_without_a_link_actions_refuse_with_one_sentence(services):
    sessions = SessionController(services, ChainLoader())
    assert not sessions.linked and sessions.session is None and sessions.markets() == ()
    for service in (sessions.orders, sessions.setup):
        with pytest.raises(RektError) as refused:
            service()
        assert refused.value.message == NO_SESSION
    assert not await sessions.release("7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU")  # nothing linked to release
    await sessions.close()  # closing with nothing open is a no-op
