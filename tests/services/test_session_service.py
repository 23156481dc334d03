"""The start-trading checklist on a live localnet: each line follows the chain, each
action lands through the sender with a balance snapshot, refusals are one sentence and
sign nothing. Plus the registry migration that records the start confirmation.
"""

import sqlite3

import pytest

from rekt_tui.domain.checklist import ChecklistAction, ItemState
from rekt_tui.domain.errors import RektError, UsageError
from rekt_tui.domain.records import TransactionStatus
from rekt_tui.domain.session import SessionStatus
from rekt_localnet import LOCALNET_REFERRER
from rekt_tui.registry import MIGRATIONS, Registry
from rekt_tui.services.session import check_faucet
from tests.services.test_orders_service import close_desk, open_desk

USDC = 10**6
SOL = 10**9


def states(checklist) -> dict[str, ItemState]:
    return {item.id: item.state for item in checklist.items}


async def test_the_checklist_follows_the_chain_from_an_empty_wallet_to_ready(tmp_path):
    desk = await open_desk(tmp_path, start=False, usdc=50)
    try:
        setup, registry = desk.setup, desk.services.registry
        checklist = await setup.checklist()
        assert all(state is ItemState.DONE for state in list(states(checklist).values())[:5])
        [confirm] = [item for item in checklist.items if item.id == "confirmed"]
        assert (confirm.state, confirm.action) == (ItemState.TODO, ChecklistAction.CONFIRM_START)
        session = await registry.get_session(desk.pubkey)
        assert session.referrer == str(LOCALNET_REFERRER) and session.referrer_verified_at is not None
        assert session.drift_user == desk.link.venue.account_address
        assert session.last_collateral_quote == 50 * USDC
        snapshot = await registry.latest_balance_snapshot(desk.pubkey)
        assert snapshot.usdc_spot_amount == 50 * USDC and snapshot.positions == ()
        kinds = [(tx.kind, tx.status) for tx in await registry.list_transactions(desk.pubkey)]
        assert kinds == [("deposit", TransactionStatus.CONFIRMED), ("initialize", TransactionStatus.CONFIRMED)]

        # Initializing again only verifies: nothing new is signed.
        await setup.initialize()
        assert len(await registry.list_transactions(desk.pubkey)) == 2

        session = await setup.start_trading()
        assert session.trading_started_at is not None
        assert (await setup.checklist()).ready_to_trade
    finally:
        await close_desk(desk)


async def test_sol_deposits_keep_the_gas_reserve_and_refusals_sign_nothing(tmp_path):
    desk = await open_desk(tmp_path, start=False, usdc=20)
    try:
        setup = desk.setup
        signed = await desk.transactions()
        funding = await setup.funding()
        assert funding.funded and funding.wallet_lamports < SOL
        with pytest.raises(UsageError, match=r"must keep 0\.0100 SOL for gas .* deposit at most 0\.9"):
            await setup.deposit("0.99", "SOL")
        for amount, asset, sentence in [
            ("-1", "SOL", "greater than zero"), ("NaN", "USDC", "not a finite number"),
            ("0.0000000001", "SOL", "more than 9 decimal places"), ("1", "BTC", "Unknown asset 'BTC'"),
            ("1000", "USDC", r"holds \$0.00 of USDC, less than the \$1,000.00"),
        ]:  # fmt: skip
            with pytest.raises(RektError, match=sentence):
                await setup.deposit(amount, asset)
        with pytest.raises(UsageError, match="Unknown strategy 'yolo'"):
            await setup.choose_strategy("yolo")
        with pytest.raises(UsageError, match="above the maximum"):
            await setup.airdrop("1000000", "SOL")
        assert await desk.transactions() == signed

        await setup.deposit("0.5", "SOL")
        assert desk.account().sol_amount == SOL // 2
        assert (await setup.funding()).wallet_lamports > 2 * 10**6
        assert (await setup.checklist()).ready_to_trade is False  # confirmation still missing
        await setup.start_trading()
    finally:
        await close_desk(desk)


async def test_start_is_refused_until_enough_collateral_is_in_drift(tmp_path):
    desk = await open_desk(tmp_path, start=False, usdc=5)
    try:
        with pytest.raises(RektError, match=r"Not ready to start: collateral deposited: Drift holds \$5.00"):
            await desk.setup.start_trading()
        assert (await desk.services.registry.get_session(desk.pubkey)).trading_started_at is None
    finally:
        await close_desk(desk)


def test_airdrops_exist_only_on_localnet():
    check_faucet("localnet")
    with pytest.raises(UsageError, match="Airdrops exist only on localnet; .* on devnet"):
        check_faucet("devnet")


async def test_a_v1_registry_migrates_and_keeps_its_sessions(tmp_path):
    async with await Registry.open(tmp_path, migrations=MIGRATIONS[:1]) as registry:
        path = registry.path
    with sqlite3.connect(path) as v1:  # a session as v1 code wrote it
        v1.execute(
            "INSERT INTO sessions (pubkey, cluster, status, key_backend, created_at, updated_at) VALUES "
            "('pk-old', 'localnet', 'active', 'test', '2026-01-01T00:00:00.000000+00:00', "
            "'2026-01-01T00:00:00.000000+00:00')"
        )
    async with await Registry.open(tmp_path) as registry:
        assert registry.schema_version == len(MIGRATIONS) == 9
        session = await registry.get_session("pk-old")
        assert session.status is SessionStatus.ACTIVE and session.trading_started_at is None
        started = await registry.update_session("pk-old", strategy="balanced", trading_started_at=session.created_at)
        assert started.trading_started_at == session.created_at
    [backup] = (tmp_path / "backups").glob("registry-v1-*.sqlite3")
    with sqlite3.connect(backup) as copy:
        assert copy.execute("PRAGMA user_version").fetchone() == (1,)
