"""The order preview and confirmation text, from a fixed plan."""

from dataclasses import replace

from rekt_tui.tui.order_text import order_question, preview_text
from tests.tui.screen_data import refused_plan


def test_preview_names_the_trade_and_every_figure():
    assert preview_text(refused_plan()).splitlines() == [
        "Market buy 1000 SOL (SOL-PERP)",
        "Entry $150.12   worst $150.75   fee $105.08",
        "Leverage after 1501.2x   free collateral after -$14,917.08",
        "Liquidation price after $149.90",
    ]


def test_a_maker_rebate_and_no_liquidation_price_read_as_such():
    plan = refused_plan()
    plan = replace(plan, preview=replace(plan.preview, fee=-20_000, liquidation_price_after=None))
    text = preview_text(plan)
    assert "fee $0.02 rebate" in text and "Liquidation price after none" in text
    assert order_question(plan).endswith("\n\nSign and send this order?")
