"""`SessionUser` answers as driftpy's `DriftUser` does for our accounts (no LP shares), and
computing a snapshot through it creates no class per call: the garbage that used to feed
full collections on the frame path. (The gateway tests compare every figure with an
independent driftpy client; this one holds both users over the very same account bytes.)
"""

import gc
from datetime import UTC, datetime

import aiohttp
import pytest
from driftpy.account_subscription_config import AccountSubscriptionConfig
from driftpy.accounts.types import DataAndSlot
from driftpy.drift_user import DriftUser

from rekt_tui.drift.session_user import SessionUser
from rekt_tui.drift.snapshots import account_snapshot
from tests.localnet.conftest import Rpc

from .test_gateway import open_position_and_orders
from .test_gateway_support import SOL, USDC, close_client, make_trader, open_gateway, until

pytestmark = pytest.mark.slow
AT = datetime(2026, 1, 1, tzinfo=UTC)


def classes_made(compute) -> int:
    """Type objects alive after `compute` that were not before (collection paused meanwhile)."""
    gc.collect()
    gc.disable()
    try:
        before = sum(isinstance(o, type) for o in gc.get_objects())
        compute()
        return sum(isinstance(o, type) for o in gc.get_objects()) - before
    finally:
        gc.enable()


async def test_same_figures_without_a_class_per_call(live):
    async with aiohttp.ClientSession() as session:
        trader = await make_trader(live, Rpc(session, live.rpc_url), usdc=1_000 * USDC)
        await open_position_and_orders(trader, 10 * SOL, long=True)
        gateway = await open_gateway(live, authority=trader.authority)
        try:
            await until(lambda: gateway.snapshot() is not None and gateway.snapshot().positions)
            loaded = gateway.drift_client.users[gateway.drift_client.active_sub_account_id].get_user_account_and_slot()
            users = []
            for kind in (DriftUser, SessionUser):
                user = kind(gateway.drift_client, gateway.user_key, AccountSubscriptionConfig("cached"))
                user.account_subscriber.update_data(DataAndSlot(loaded.slot, loaded.data))
                users.append(user)
            theirs, ours = (account_snapshot(user, loaded.slot, AT) for user in users)
            assert ours == theirs and ours.positions[0].liquidation_price is not None

            assert classes_made(lambda: [account_snapshot(users[0], loaded.slot, AT) for _ in range(20)]) >= 20
            assert classes_made(lambda: [account_snapshot(users[1], loaded.slot, AT) for _ in range(20)]) == 0
        finally:
            await gateway.close()
            await close_client(trader)
