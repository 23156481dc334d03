"""The checklist against a live localnet: every line walked from the keyboard, from an
empty wallet to "Start trading on Drift" through the confirm modal."""

from functools import partial

import pytest
from textual.notifications import Notify

from rekt_tui.domain.checklist import ItemState
from rekt_tui.services.container import Services
from rekt_tui.tui.screens.checklist import ChecklistScreen
from rekt_tui.tui.screens.confirm import ConfirmScreen
from rekt_tui.tui.session_messages import SessionDataLoaded, SessionOpened, StepRequested, StepStateChanged
from tests.tui.conftest import make_app, text_of
from tests.tui.live_app import distinct, live_settings, until

pytestmark = pytest.mark.slow


async def run_step(pilot, message_log, key: str, line: str) -> None:
    """Press a checklist step's key; return once the step ended and its line reads done."""
    done = len([m for m in distinct(message_log, StepStateChanged) if m.done])
    await pilot.press(key)
    await until(pilot, lambda: len([m for m in distinct(message_log, StepStateChanged) if m.done]) > done,
                f"step {key}")  # fmt: skip
    await until(pilot, lambda: line_states(pilot.app).get(line) is ItemState.DONE, f"line {line}")


def line_states(app) -> dict[str, ItemState]:
    checklist = app.screen.checklist
    return {} if checklist is None else {item.id: item.state for item in checklist.items}


async def test_walk_the_checklist_to_start_trading(tmp_path, live, message_log):
    services = await Services.open(live_settings(tmp_path, live))
    app = make_app(services)
    try:
        async with app.run_test(size=(100, 30), message_hook=message_log) as pilot:
            assert not app.check_action("checklist", ())  # no session yet
            await pilot.press("w", "n")
            await until(pilot, lambda: distinct(message_log, SessionOpened), "linking the new wallet")
            await pilot.press("c")
            assert isinstance(app.screen, ChecklistScreen)
            await pilot.press("tab")  # Tab and shift+Tab reach the deposit and strategy fields
            assert app.focused.id == "deposit-amount"
            await pilot.press("shift+tab")
            assert app.focused.id == "checklist-lines"
            await until(pilot, lambda: line_states(app).get("wallet_funded") is ItemState.TODO, "the first reading")
            assert not app.screen.check_action("step", ("initialize_account",))  # blocked until funded

            step = partial(run_step, pilot, message_log)

            await step("a", "wallet_funded")
            await step("i", "drift_account")
            assert line_states(app)["referrer_verified"] is ItemState.DONE
            ended = len(distinct(message_log, StepStateChanged))
            await pilot.press("u")  # USDC to deposit
            await until(pilot, lambda: len(distinct(message_log, StepStateChanged)) == ended + 2, "the USDC airdrop")
            await step("d", "collateral")
            await step("t", "strategy")
            assert "✓ Collateral deposited" in text_of(app.screen.query_one("#checklist-lines"))
            assert not app.check_action("buy", ())  # not started yet

            await pilot.press("g")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the start confirmation")
            question = text_of(app.screen.query_one("#confirm-question"))
            assert "balanced strategy" in question and "$100.00 of collateral" in question
            await pilot.press("y")
            await until(pilot, lambda: line_states(app).get("confirmed") is ItemState.DONE, "the start")
            # More collateral any time: `d` stays on once the account exists.
            assert app.screen.check_action("step", ("deposit",))
            amount = app.screen.query_one("#deposit-amount")
            amount.value = "50"
            amount.focus()
            await step("enter", "collateral")  # Enter on the amount deposits it, as `d` does
            steps = [m.step for m in distinct(message_log, StepRequested)]
            assert steps == ["fund_sol", "initialize_account", "fund_usdc", "deposit", "choose_strategy",
                             "confirm_start", "deposit"]  # fmt: skip
            assert distinct(message_log, SessionDataLoaded)[-1].checklist.ready_to_trade
            # What is typed is what is read: `-5` and `1e3` are refused in words, not cut to 5 and 13.
            for typed, sentence in (("-5", "Amount must be greater than zero (got -5)."),
                                    ("1e3", "Amount '1e3' uses an exponent; write it out in full")):  # fmt: skip
                amount.value = ""
                await pilot.press(*typed)
                assert amount.value == typed
                ended = len(distinct(message_log, StepStateChanged))
                await pilot.press("enter")
                await until(pilot, lambda: len(distinct(message_log, StepStateChanged)) == ended + 2, typed)
                told = [n.notification.message for n in message_log.of_type(Notify)]
                assert any(sentence in message for message in told), told

            [session] = await services.registry.list_sessions(cluster="localnet")
            assert session.trading_started_at is not None and session.referrer_verified_at is not None
            assert session.strategy == "balanced" and session.last_collateral_quote == 150 * 10**6
            await until(pilot, lambda: app.check_action("buy", ()), "buy to apply")

            # The dashboard's session panel shows what setup recorded, not the wallet as first linked.
            await pilot.press("escape")
            live_lines = app.get_default_screen().query_one("#session-live")
            drift_line = f"Drift account: {session.drift_user[:4]}…{session.drift_user[-4:]}"
            await until(pilot, lambda: drift_line in text_of(live_lines), "the panel's Drift account")
            assert "Referrer: verified" in text_of(live_lines)
    finally:
        await services.close()
