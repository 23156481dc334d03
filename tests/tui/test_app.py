"""Pilot tests of the shell against real services: what is shown, and which messages flow."""

import asyncio
import contextlib
import logging

from textual.color import Color
from textual.command import CommandPalette
from textual.messages import ExitApp
from textual.notifications import Notify
from textual.widgets import Footer
from textual.worker import WorkerFailed

from rekt_tui.domain.errors import RektError
from rekt_tui.services.container import Services
from rekt_tui.tui.formatting import MAINNET_BANNER, NO_SESSIONS_HINT
from rekt_tui.services.models import RecoveryItem, SuggestedAction
from rekt_tui.tui.messages import ShellStatusLoaded
from rekt_tui.tui.quit_guard import QUIT_TITLE
from rekt_tui.tui.screens.confirm import ConfirmScreen
from rekt_tui.tui.screens.dashboard import DashboardScreen
from rekt_tui.tui.screens.recovery import RecoveryScreen
from rekt_tui.tui.stop_and_withdraw import RecoveryLoaded
from rekt_tui.tui.widgets.hud import Hud
from tests.tui import live_data
from tests.tui.conftest import add_wallet, make_app, text_of

NARROW = (80, 24)
WIDE = (160, 48)


async def settle(pilot) -> None:
    """Let the status worker finish, or fail (some tests make it fail), and its message reach the widgets."""
    for worker in list(pilot.app.workers):
        with contextlib.suppress(WorkerFailed):
            await worker.wait()
    await pilot.pause()


async def test_mounts_dashboard_and_posts_the_real_status(services, message_log):
    app = make_app(services)
    async with app.run_test(size=NARROW, message_hook=message_log) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        [loaded] = message_log.of_type(ShellStatusLoaded)
        assert loaded.status == await services.shell_status()

        session = text_of(app.screen.query_one("#session"))
        assert "localnet · http://127.0.0.1:8899" in session
        assert "⚠ localnet test keys (not secure)" in session
        assert "Registry: writer" in session
        assert NO_SESSIONS_HINT in session
        assert NO_SESSIONS_HINT in text_of(app.screen.query_one("#positions"))
        assert "not connected" in text_of(app.screen.query_one("#orderbook"))
        assert "not connected" in app.screen.query_one("#hud").border_title
        assert app.screen.query_one(Hud).reading("cluster").value == "localnet"
        assert app.screen.query_one(Hud).reading("leverage").value == "— / 5x"
        assert app.screen.query_one(Hud).reading("collateral").value == "—"
        assert not app.screen.query_one("#mainnet-banner").display
        assert not app.screen.query_one("#read-only-notice").display
        assert "09:30:00  Ready on localnet: 0 session wallets, registry writer." in text_of(
            app.screen.query_one("#activity")
        )


async def test_session_wallets_of_the_cluster_are_listed(services, tmp_path):
    wallet = await add_wallet(services, tmp_path, seed=1, label="scalps")
    app = make_app(services)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        session = text_of(app.screen.query_one("#session"))
        assert f"{wallet.pubkey[:4]}…{wallet.pubkey[-4:]}" in session
        assert "scalps" in session and "active" in session
        assert NO_SESSIONS_HINT not in session
        assert "Positions: not connected" in text_of(app.screen.query_one("#positions"))


async def test_reload_shows_a_wallet_created_after_launch(services, tmp_path, message_log):
    app = make_app(services)
    async with app.run_test(size=NARROW, message_hook=message_log) as pilot:
        await settle(pilot)
        wallet = await add_wallet(services, tmp_path, seed=2, label="fresh")
        await pilot.press("r")
        await settle(pilot)
        assert len(message_log.of_type(ShellStatusLoaded)) == 2
        assert wallet.pubkey[:4] in text_of(app.screen.query_one("#session"))
        assert "1 session wallet," in text_of(app.screen.query_one("#activity"))


async def test_reload_is_hidden_while_a_load_runs(services, monkeypatch):
    release = asyncio.Event()
    real_shell_status = services.shell_status

    async def slow_shell_status():
        await release.wait()
        return await real_shell_status()

    monkeypatch.setattr(services, "shell_status", slow_shell_status)
    app = make_app(services)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        assert "r" not in app.screen.active_bindings
        release.set()
        await settle(pilot)
        assert app.screen.active_bindings["r"].binding.description == "Reload status"


async def test_help_lists_every_active_binding_and_closes(services):
    app = make_app(services)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        dashboard = app.screen
        expected = {active.binding.description for active in dashboard.active_bindings.values()}
        assert {"Quit", "Help", "Reload status", "Command palette", "Zoom panel", "Go to session"} <= expected

        await pilot.press("question_mark")
        assert app.screen.id == "help"
        shown = text_of(app.screen)
        for description in expected:
            assert description in shown
        assert "Restore panels" not in shown  # check_action hides it: nothing is zoomed
        assert "q, ^q" in shown and "?" in shown
        keys = app.screen.query_one("#help-dialog")  # taller than 24 rows: it scrolls, from the keyboard
        assert keys.max_scroll_y > 0 and app.focused is keys
        await pilot.press("end")
        await pilot.pause()
        assert keys.scroll_y == keys.max_scroll_y

        await pilot.press("escape")
        assert app.screen is dashboard
        await pilot.press("question_mark", "question_mark")
        assert app.screen is dashboard


async def test_every_binding_has_an_id_and_a_description(services):
    app = make_app(services)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        for panel in ("#positions", "#orderbook", "#session", "#activity"):
            app.screen.query_one(panel).focus()
            await pilot.pause()
            for key, active in app.screen.active_bindings.items():
                assert active.binding.id, f"{key} has no id"
                assert active.binding.description, f"{key} has no description"
        await pilot.press("question_mark")
        for active in app.screen.active_bindings.values():
            assert active.binding.id and active.binding.description


async def test_palette_lists_the_actions_and_runs_them(services):
    app = make_app(services)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        descriptions = {
            active.binding.description
            for active in app.screen.active_bindings.values()
            if active.binding.action != "command_palette"
        }
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert CommandPalette.is_open(app)
        listed = await _palette_prompts(pilot)
        assert descriptions <= listed
        assert "Quit" in listed and "Theme" in listed  # ours, plus Textual's theme switcher

        await pilot.press(*"help", "enter")
        await pilot.pause()
        assert app.screen.id == "help"


async def _palette_prompts(pilot) -> set[str]:
    options = pilot.app.screen.query_one("CommandList")
    for _ in range(50):
        if options.option_count:
            break
        await pilot.pause(0.02)
    return {str(options.get_option_at_index(index).prompt).split("\n")[0] for index in range(options.option_count)}


async def test_zoom_and_restore_follow_check_action(services):
    app = make_app(services)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("3", "z")
        assert app.screen.maximized is app.screen.query_one("#session")
        keys = app.screen.active_bindings
        assert "z" not in keys and keys["escape"].binding.description == "Restore panels"
        await pilot.press("escape")
        assert app.screen.maximized is None
        assert "escape" not in app.screen.active_bindings


async def test_q_quits(services, message_log):
    app = make_app(services)
    async with app.run_test(size=NARROW, message_hook=message_log) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert message_log.of_type(ExitApp)
    assert app.return_code == 0


async def quit_question_after_q(pilot, key: str = "q") -> str:
    """Press `key`; the cockpit must ask instead of leaving. Returns the question."""
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(pilot.app.screen, ConfirmScreen), "q quit without asking"
    assert pilot.app.screen.title_text == QUIT_TITLE
    return text_of(pilot.app.screen.query_one("#confirm-question"))


async def test_quit_asks_first_while_the_session_on_screen_holds_positions(services, message_log):
    app = make_app(services)
    async with app.run_test(size=NARROW, message_hook=message_log) as pilot:
        await settle(pilot)
        app.dashboard.account = live_data.account()  # what the live feed shows: 2 positions, 2 orders
        question = await quit_question_after_q(pilot)
        assert question.startswith("The session on screen holds 2 positions and 2 orders.")
        assert "positions and orders stay open on chain" in question and "Quit anyway?" in question

        await pilot.press("n")
        await pilot.pause()
        assert not message_log.of_type(ExitApp) and app.is_running
        assert isinstance(app.screen, DashboardScreen)

        await quit_question_after_q(pilot)
        await pilot.press("y")
        await pilot.pause()
        assert message_log.of_type(ExitApp)
    assert app.return_code == 0


async def test_quit_asks_first_while_another_session_holds_orders(services, message_log):
    elsewhere = RecoveryItem(
        session=live_data.session(), sol_lamports=0, collateral=0, open_orders=1, positions=0, unsettled_pnl=0,
        borrowed=False, since=live_data.AT, action=SuggestedAction.RESUME,
    )  # fmt: skip
    app = make_app(services)
    async with app.run_test(size=NARROW, message_hook=message_log) as pilot:
        await settle(pilot)
        app.post_message(RecoveryLoaded((elsewhere,)))  # as a launch reconciliation answers
        await pilot.pause()
        assert isinstance(app.screen, RecoveryScreen)
        quit_key = app.screen.active_bindings["q"].binding  # a stop that cannot finish is no trap
        assert quit_key.show and quit_key.description == "Quit"
        question = await quit_question_after_q(pilot, "q")
        assert question.startswith("1 session(s) hold open positions or orders.")
        await pilot.press("n")
        await pilot.pause()
        assert not message_log.of_type(ExitApp) and isinstance(app.screen, RecoveryScreen)


async def test_a_second_instance_is_a_writer_too_and_shows_no_read_only_notice(services, message_log):
    second = await Services.open(services.settings)  # the first is still open
    try:
        assert (second.registry.read_only, second.registry.read_only_reason) == (False, None)
        app = make_app(second)
        async with app.run_test(size=NARROW, message_hook=message_log) as pilot:
            await settle(pilot)
            assert not app.screen.query_one("#read-only-notice").display
    finally:
        await second.close()


async def test_mainnet_shows_the_red_banner_before_and_after_loading(mainnet_services, monkeypatch):
    release = asyncio.Event()
    real_shell_status = mainnet_services.shell_status

    async def slow_shell_status():
        await release.wait()
        return await real_shell_status()

    monkeypatch.setattr(mainnet_services, "shell_status", slow_shell_status)
    app = make_app(mainnet_services)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        banner = app.screen.query_one("#mainnet-banner")
        assert app.screen.status is None and banner.display  # from settings, before any status
        release.set()
        await settle(pilot)
        assert app.screen.status is not None and banner.display
        assert text_of(banner).strip() == MAINNET_BANNER
        assert banner.region.y == 0 and banner.region.width == NARROW[0]
        assert banner.styles.background == Color.parse(app.get_css_variables()["error"])
        problem = app.screen.status.keystore.problem
        assert problem  # localnet test keys are refused on mainnet
        assert problem in text_of(app.screen.query_one("#session")).replace("\n", " ")


async def test_a_rekt_error_in_a_worker_becomes_its_sentence(services, monkeypatch, message_log):
    sentence = "The RPC at http://127.0.0.1:8899 did not answer; start the localnet with `rekt-tui localnet`."

    async def failing():
        raise RektError(sentence)

    monkeypatch.setattr(services, "shell_status", failing)
    app = make_app(services)
    async with app.run_test(size=NARROW, message_hook=message_log) as pilot:
        await settle(pilot)
        [notify] = message_log.of_type(Notify)
        assert notify.notification.message == sentence
        assert notify.notification.severity == "error"
        assert sentence in text_of(app.screen.query_one("#activity")).replace("\n", " ")
        assert app.is_running


async def test_an_unexpected_worker_error_is_logged_and_named_briefly(services, monkeypatch, message_log, caplog):
    async def broken():
        raise ValueError("internal detail 0xdeadbeef")

    monkeypatch.setattr(services, "shell_status", broken)
    app = make_app(services)
    with caplog.at_level(logging.ERROR, logger="rekt_tui.tui.workers"):
        async with app.run_test(size=NARROW, message_hook=message_log) as pilot:
            await settle(pilot)
            [notify] = message_log.of_type(Notify)
    message = notify.notification.message
    assert notify.notification.severity == "error"
    assert message.startswith("Unexpected error;") and str(services.settings.log_file) in message
    assert "0xdeadbeef" not in message
    [record] = [r for r in caplog.records if r.name == "rekt_tui.tui.workers"]
    assert record.exc_info and "0xdeadbeef" in str(record.exc_info[1])


def panel_regions(app):
    return {name: app.screen.query_one(f"#{name}").region for name in ("positions", "orderbook", "session", "activity")}


async def test_narrow_terminal_stacks_panels_two_by_two(services):
    app = make_app(services)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        regions = panel_regions(app)
        assert regions["positions"].x == regions["session"].x == 0
        assert regions["orderbook"].x == regions["activity"].x == NARROW[0] // 2
        assert regions["session"].y > regions["positions"].y
        assert all(region.bottom <= NARROW[1] - 1 for region in regions.values())  # footer stays visible
        assert app.screen.query_one(Footer).region.y == NARROW[1] - 1
        assert app.screen.query_one("#hud").region.height == 5  # two rows of six figures


async def test_wide_terminal_uses_three_columns(services):
    app = make_app(services)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        regions = panel_regions(app)
        assert regions["positions"].width > regions["orderbook"].width
        assert regions["orderbook"].x < regions["session"].x
        assert regions["activity"].x == 0 and regions["activity"].y > regions["positions"].y
        assert regions["orderbook"].height == regions["session"].height > regions["positions"].height
        assert app.screen.query_one("#hud").region.height == 3  # all figures on one row
