"""A fill as the activity log and its toast say it: prices to four places above a dollar, as the
HUD and history show them, never six."""

from rekt_tui.domain.fills import Fill
from rekt_tui.domain.records import Direction
from rekt_tui.tui.order_actions import fill_text
from tests.tui.screen_data import SOL_PERP

SOL = 10**9


def test_a_fill_reads_to_four_places_with_or_without_its_fee():
    net = Fill(0, "SOL-PERP", Direction.SHORT, SOL // 2, 143_754_902, None, 3)
    assert fill_text(net, {"SOL-PERP": SOL_PERP}) == "Filled (order #3): SOL-PERP sell 0.5 SOL at $143.7549 net of fee"
    gross = Fill(0, "SOL-PERP", Direction.LONG, SOL // 2, 150_178_612, 75_089, None)
    assert fill_text(gross, {"SOL-PERP": SOL_PERP}) == "Filled: SOL-PERP buy 0.5 SOL at $150.1786, fee $0.08"
