"""What a followed session's link builds lives as long as the link: frozen out of the collector's
full passes once the first snapshot is in, and thawed when the dashboard follows another."""

import gc

import pytest
from solders.keypair import Keypair

from tests.services.teardown_setup import funded_session, services  # noqa: F401 - fixture: services on a live localnet
from tests.tui.conftest import make_app
from tests.tui.live_helpers import wait_until

pytestmark = pytest.mark.slow


def tracked(thing: object) -> bool:
    """Whether the collector's generations hold it (frozen objects are in none of them)."""
    return any(held is thing for held in gc.get_objects())


async def test_the_followed_link_is_frozen_after_its_first_snapshot_and_thawed_on_a_switch(services):
    link = await funded_session(services)
    await services.registry.update_session(link.session.pubkey, drift_user=link.venue.account_address)
    await link.close()
    app = make_app(services)
    opened = []
    async with app.run_test(size=(120, 40)) as pilot:
        feed_link = app.sessions.feed_link

        async def kept(pubkey: str):
            opened.append(await feed_link(pubkey))
            return opened[-1]

        app.sessions.feed_link = kept  # type: ignore[method-assign]
        dashboard = app.dashboard
        await wait_until(pilot, lambda: dashboard.account is not None, what="the account feed")
        assert len(opened) == 1 and not tracked(opened[0].gateway)
        dashboard.feeds.follow(str(Keypair().pubkey()))  # another session: this link is going
        assert gc.get_freeze_count() == 0 and tracked(opened[0].gateway)
