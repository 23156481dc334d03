"""The cockpit on the relaunch says Velocity and USDT: the checklist walked from the keyboard on
the velocity localnet names the Velocity account and the USDT quote in its lines, keys, deposit
field, start confirmation and the session panel, and never Drift's account or USDC."""

from functools import partial

import pytest

from rekt_tui.domain.checklist import ItemState
from rekt_tui.services.container import Services
from rekt_tui.tui.screens.checklist import ChecklistScreen
from rekt_tui.tui.screens.confirm import ConfirmScreen
from rekt_tui.tui.session_messages import SessionOpened, StepStateChanged
from tests.localnet.conftest import start_localnet
from tests.tui.conftest import make_app, make_settings, text_of
from tests.tui.live_app import distinct, until
from tests.tui.test_checklist import line_states, run_step

pytestmark = pytest.mark.slow


def key_descriptions(screen) -> dict[str, str]:
    return {key: active.binding.description for key, active in screen.active_bindings.items()}


def assert_no_drift_words(text: str) -> None:
    for word in ("Drift", "USDC"):
        assert word not in text, f"{word!r} on the velocity cockpit:\n{text}"


async def test_the_velocity_checklist_names_the_velocity_account_and_usdt(tmp_path, message_log):
    chain = await start_localnet(tmp_path / "data", slot_ms=50, market_life=True, venue="velocity")
    endpoints = {"rpc_url": chain.rpc_url, "ws_url": chain.ws_url, "dlob_url": chain.dlob_url,
                 "dlob_ws_url": chain.dlob_ws_url, "venue": "velocity"}  # fmt: skip
    services = await Services.open(make_settings(tmp_path, clusters={"localnet": endpoints}))
    app = make_app(services)
    try:
        async with app.run_test(size=(110, 34), message_hook=message_log) as pilot:
            await pilot.press("w", "n")
            await until(pilot, lambda: distinct(message_log, SessionOpened), "linking the new wallet")
            await pilot.press("c")
            screen = app.screen
            assert isinstance(screen, ChecklistScreen)
            await until(pilot, lambda: line_states(app).get("wallet_funded") is ItemState.TODO, "the first reading")
            assert key_descriptions(screen)["u"] == "Airdrop 1,000 USDT"  # keys show while they apply
            assert screen.query_one("#deposit-asset").value == "USDT"
            lines = text_of(screen.query_one("#checklist-lines"))
            assert "Velocity account initialized" in lines and "opening a Velocity account costs rent" in lines

            step = partial(run_step, pilot, message_log)

            await step("a", "wallet_funded")
            assert key_descriptions(screen)["i"] == "Initialize Velocity account"
            await step("i", "drift_account")
            ended = len(distinct(message_log, StepStateChanged))
            await pilot.press("u")  # the quote to deposit: USDT on this venue
            await until(pilot, lambda: len(distinct(message_log, StepStateChanged)) == ended + 2, "the USDT airdrop")
            outcome = distinct(message_log, StepStateChanged)[-1].outcome
            assert outcome.startswith("Airdropped 1000 USDT to "), outcome
            await step("d", "collateral")
            await step("t", "strategy")
            lines = text_of(screen.query_one("#checklist-lines"))
            assert "Velocity holds $100.00 of collateral" in lines, lines
            assert_no_drift_words(lines)

            assert key_descriptions(screen)["g"] == "Start trading on Velocity"
            await pilot.press("g")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the start confirmation")
            confirm = app.screen
            question = text_of(confirm.query_one("#confirm-question"))
            assert confirm.title_text == "Start trading on Velocity"
            assert question.startswith("Start trading on Velocity with the balanced strategy"), question
            await pilot.press("y")
            await until(pilot, lambda: line_states(app).get("confirmed") is ItemState.DONE, "the start")
            assert "Trading on Velocity is confirmed." in text_of(screen.query_one("#checklist-lines"))

            await pilot.press("escape")
            [session] = await services.registry.list_sessions(cluster="localnet")
            panel = app.get_default_screen().query_one("#session-live")
            account_line = f"Velocity account: {session.drift_user[:4]}…{session.drift_user[-4:]}"
            await until(pilot, lambda: account_line in text_of(panel), "the panel's Velocity account")
            await until(pilot, lambda: "USDT: $900.00" in text_of(panel), "the wallet's USDT in the panel")
            assert_no_drift_words(text_of(panel))
    finally:
        await services.close()
        await chain.stop()
