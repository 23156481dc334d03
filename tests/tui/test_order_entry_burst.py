"""Keys typed in one burst (a fast typist, a paste, a terminal multiplexer sending keys at
once) land where the keys before them put the focus: a field key (`g` take-profit, `l`
stop-loss) moves the focus before the next key is read, not after the queue."""

from textual import events

from rekt_tui.tui.screens.order_entry import OrderEntryScreen
from tests.tui.conftest import make_app

KEY_NAMES = {".": "full_stop"}


async def test_a_burst_of_keys_fills_size_take_profit_and_stop_loss(services):
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(OrderEntryScreen("buy", ("SOL-PERP", "BTC-PERP"), None))
        await pilot.pause()
        for character in "0.2g170l130":
            app.post_message(events.Key(KEY_NAMES.get(character, character), character))
        await pilot.pause()
        await pilot.pause()
        values = {name: app.screen.query_one(f"#order-{name}").value for name in ("size", "tp", "sl")}
        assert values == {"size": "0.2", "tp": "170", "sl": "130"}


async def test_a_burst_after_a_type_key_reaches_the_new_type_s_fields(services):
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(OrderEntryScreen("buy", ("SOL-PERP", "BTC-PERP"), None))
        await pilot.pause()
        for key, character in (("t", "t"), ("t", "t"), *[(KEY_NAMES.get(c, c), c) for c in "0.01"],
                               ("tab", None), *[(c, c) for c in "160"]):  # fmt: skip
            app.post_message(events.Key(key, character))
        await pilot.pause()
        await pilot.pause()
        values = {name: app.screen.query_one(f"#order-{name}").value for name in ("size", "trigger")}
        assert values == {"size": "0.01", "trigger": "160"}
        assert app.screen.query_one("#order-kind").value == "stop-market"
