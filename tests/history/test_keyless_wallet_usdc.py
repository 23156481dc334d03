"""The quote asset left in the session wallet, read by a keyless link (`report`, `history`,
`stop`'s result): the session wallet's own token account, never that of the throwaway keypair
a read-only client holds. Checked on each venue against the token account on chain."""

import base64

import pytest
from solders.pubkey import Pubkey
from spl.token.instructions import get_associated_token_address

from rekt_localnet.markets import SPOT_MARKETS
from rekt_tui.services.history import report
from rekt_tui.services.link import connect_venue, link_over
from tests.history.scenario import VENUES
from tests.services.test_orders_service import close_desk, open_desk

pytestmark = pytest.mark.slow

USDC = 10**6


@pytest.mark.parametrize("venue", VENUES)
async def test_a_keyless_report_reads_the_session_wallets_own_quote(tmp_path, venue):
    desk = await open_desk(tmp_path, usdc=100, venue=venue, start=False)
    try:
        quote = desk.services.settings.labels.quote
        await desk.setup.airdrop("7", quote)  # left in the wallet, outside the venue
        assert await desk.link.venue.wallet_usdc() == 7 * USDC
        if venue == "drift":  # the chain's own token account, read without our adapter
            account = get_associated_token_address(Pubkey.from_string(desk.pubkey), SPOT_MARKETS[0].mint)
            value = (await desk.admin.call("getAccountInfo", [str(account), {"encoding": "base64"}]))["value"]
            assert int.from_bytes(base64.b64decode(value["data"][0])[64:72], "little") == 7 * USDC

        session = await desk.services.registry.get_session(desk.pubkey)
        reader = link_over(desk.services, session, await connect_venue(desk.services, session, secret=None))
        try:
            assert await reader.venue.wallet_usdc() == 7 * USDC
            assert (await report(reader)).wallet_usdc == 7 * USDC
        finally:
            await reader.close()
    finally:
        await close_desk(desk)
