"""Order entry before the order is whole: a field the order's kind needs and that is still
empty is named in a hint where the preview goes, never reported as a refusal in red."""

import pytest

from rekt_tui.tui.debounce import DEBOUNCE_S
from rekt_tui.tui.screens.order_entry import OrderEntryScreen
from tests.tui.conftest import FIXED_NOW, make_app, text_of

MARKETS = ("BTC-PERP", "ETH-PERP", "SOL-PERP")


@pytest.mark.parametrize(("kind_keys", "hint"), [
    ((), "Type a size to see the preview."),
    (("t",), "Type a limit price to see the preview."),
    (("t", "t"), "Type a trigger price to see the preview."),
])  # fmt: skip
async def test_the_first_empty_field_is_named_not_refused(services, kind_keys, hint):
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.app.workers.wait_for_complete()
        screen = OrderEntryScreen("sell", MARKETS, clock=lambda: FIXED_NOW)
        await app.push_screen(screen)
        await pilot.press(*kind_keys)
        if kind_keys:
            await pilot.press("1")  # the size is typed; the price or trigger is not
        await pilot.pause(DEBOUNCE_S * 2)
        assert text_of(screen.query_one("#order-preview")).strip() == hint
        assert text_of(screen.query_one("#order-refusals")).strip() == ""
        assert not screen.check_action("place", ())
