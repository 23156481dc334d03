"""The order preview and confirmation text, from a fixed plan."""

from dataclasses import replace

from rekt_tui.domain.brackets import Cover, bracket_legs
from rekt_tui.domain.orders import OrderKind, TriggerCondition
from rekt_tui.tui.order_text import order_question, preview_text
from tests.tui.screen_data import SOL_PERP, refused_plan

USDC = 10**6
SOL = 10**9


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


def test_a_bracket_placed_beside_a_long_is_previewed_on_that_long():
    """The plan's cover, not the entry's price and size, decides what the legs' lines say."""
    plan = refused_plan()
    entry = replace(plan.request, kind=OrderKind.LIMIT, base_amount=SOL, price=149 * USDC, max_ts=0)
    bracket = bracket_legs(entry, take_profit="155", stop_loss=None, entry_price=149 * USDC,
                           oracle_price=150 * USDC, markets={"SOL-PERP": SOL_PERP}, taken=set(), now=0)  # fmt: skip
    plan = replace(plan, request=entry, bracket=bracket, bracket_cover=Cover(SOL, 150_090_000, SOL))
    assert preview_text(plan).splitlines()[-2:] == [
        "Take-profit $155.00 (+3.27% from break-even), PnL +$4.91",
        "The take-profit: reduce-only, no expiry, placed now to protect the current long of 1 SOL "
        "(break-even $150.09), not this entry's fill; 1 SOL of 2 SOL covered once it fills",
    ]


def test_a_stop_market_says_it_has_no_worst_price():
    """Triggered, a stop market fills at market: its preview's figures are at the trigger, and it
    names no worst price it cannot keep."""
    plan = refused_plan()
    stop = replace(plan.request, kind=OrderKind.STOP_MARKET, trigger_price=140 * USDC,
                   trigger_condition=TriggerCondition.BELOW, max_ts=0)  # fmt: skip
    plan = replace(plan, request=stop, preview=replace(plan.preview, entry_price=140 * USDC, worst_price=140 * USDC))
    lines = preview_text(plan).splitlines()
    assert lines[1:3] == [
        "Triggers when the oracle is below $140.00",
        "Then at market, no worst price: figures at $140.00   fee $105.08",
    ]
    assert "worst $" not in preview_text(plan)


def test_a_market_order_previewed_without_the_book_says_its_entry_is_not_known():
    plan = replace(refused_plan(), book_unread=True)
    entry_line = "No order book: entry not known, figures at the worst $150.75   fee $105.08"
    assert preview_text(plan).splitlines()[1] == entry_line


def test_a_computed_liquidation_price_reads_to_four_places_above_a_dollar():
    plan = refused_plan()
    plan = replace(plan, preview=replace(plan.preview, liquidation_price_after=118_964_552))
    assert "Liquidation price after $118.9646" in preview_text(plan).splitlines()
