"""Launch reconciliation on a live localnet: R3 (orders adopted by user_order_id) and K3
(a locked keyring still shows what each session holds, read by its authority, and
nothing is deleted)."""

import time

import pytest

from rekt_tui.domain.records import Direction, MarketType, OrderStatus, OrderType, TeardownStepStatus
from rekt_tui.domain.session import SessionStatus
from rekt_tui.domain.status import KeystoreStatus
from rekt_tui.drift import order_actions
from rekt_tui.keystore import Keystore, KeystoreLocked
from rekt_tui.services.container import Services
from rekt_tui.services.models import SuggestedAction
from rekt_tui.services.reconcile import mark_resolved, reconcile
from rekt_tui.services.teardown import TeardownService
from tests.keystore.backends import LockedKeyring
from tests.services.teardown_setup import SOL, USDC, Book, funded_session, land_raw, services  # noqa: F401 - fixture

pytestmark = pytest.mark.slow


class LockedServices(Services):
    """The same registry and cluster, with the keyring locked (K3)."""

    async def keystore(self) -> Keystore:
        return Keystore(LockedKeyring(), backend_id="locked", status=KeystoreStatus("locked test keyring", True))


async def test_orders_found_on_chain_are_adopted_and_the_session_offered_for_resume(services):
    link = await funded_session(services, Book(usdc=500 * USDC, positions=(), resting=()))
    pubkey, registry = link.session.pubkey, services.registry
    expiry = int(time.time()) + 600
    pending = await registry.add_order(
        pubkey, user_order_id=7, market_type=MarketType.PERP, market_index=0, direction=Direction.LONG,
        order_type=OrderType.LIMIT, base_amount=SOL, price=100 * USDC, post_only=True, max_ts=expiry,
    )  # fmt: skip
    for user_order_id in (7, 9):  # 7 was recorded before the crash, 9 never was
        order = order_actions.place_perp_order(
            link.venue.drift_client, market_index=0, direction=Direction.LONG, order_type=OrderType.LIMIT,
            base_amount=SOL, user_order_id=user_order_id, price=100 * USDC, post_only=True, max_ts=expiry,
        )  # fmt: skip
        await land_raw(link, "place_order", order)
    await link.close()

    (item,) = await reconcile(services)
    assert item.adopted == 2 and item.open_orders == 2 and item.collateral == 500 * USDC
    assert item.action is SuggestedAction.RESUME and item.needs_recovery
    adopted = {o.user_order_id: o for o in await registry.list_open_orders(pubkey)}
    assert adopted[7].id == pending.id and adopted[7].status is OrderStatus.OPEN and adopted[7].chain_order_id
    assert adopted[9].status is OrderStatus.OPEN and adopted[9].max_ts == expiry
    assert (await registry.get_session(pubkey)).last_collateral_quote == 500 * USDC
    assert (await registry.latest_balance_snapshot(pubkey)).usdc_spot_amount == 500 * USDC
    with pytest.raises(Exception, match="does not show this session empty"):
        await mark_resolved(services, pubkey)
    (again,) = await reconcile(services)
    assert again.adopted == 0


async def test_a_locked_keyring_still_lists_balances_read_by_authority_and_deletes_nothing(services):
    link = await funded_session(services, Book(usdc=300 * USDC, positions=((0, Direction.LONG, SOL, 150 * USDC, 100),),
                                               resting=()))  # fmt: skip
    pubkey = link.session.pubkey
    await link.close()
    keys_before = (services.settings.data_dir / "localnet-test-keys.json").read_text()
    locked = LockedServices(services.settings, services.registry)
    with pytest.raises(KeystoreLocked):
        (await locked.keystore()).load(pubkey)

    (item,) = await reconcile(locked)
    assert item.session.pubkey == pubkey and "locked" in item.key_problem
    assert item.positions == 1 and 290 * USDC < item.collateral < 300 * USDC and item.sol_lamports > 9 * SOL
    assert item.action is SuggestedAction.RESUME
    assert (await services.registry.get_session(pubkey)).status.value == "active"
    assert (services.settings.data_dir / "localnet-test-keys.json").read_text() == keys_before
    assert (await services.registry.get_session(pubkey)).last_collateral_quote == item.collateral


async def test_a_torn_down_session_needs_nothing_and_a_zero_chain_can_be_marked_resolved(services):
    link = await funded_session(services, Book(usdc=100 * USDC, positions=(), resting=()))
    try:
        events = [e async for e in TeardownService(services).run(link)]
    finally:
        await link.close()
    assert events[-1].step.value == "archive"
    idle = await funded_session(services, Book(positions=(), resting=()))  # a Drift account, nothing in it
    await idle.close()
    # As a crash right after the teardown's first step leaves it: trading paused, run unfinished.
    step = await services.registry.add_teardown_step(idle.session.pubkey, run_id="crashed", seq=1, step="pause_trading")
    await services.registry.update_teardown_step(step.id, status=TeardownStepStatus.DONE)

    torn_down, crashed = await reconcile(services)
    assert torn_down.action is None and not torn_down.needs_recovery and torn_down.collateral == 0
    assert crashed.action is SuggestedAction.MARK_RESOLVED and crashed.needs_recovery
    resolved = await mark_resolved(services, idle.session.pubkey)
    assert resolved.action is None and resolved.session.status is SessionStatus.ARCHIVED
