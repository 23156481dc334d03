"""What a bracket's legs cover, and the preview's words for it: legs placed at once beside a
position the entry's way protect that position, at its break-even; legs that wait for a fill
cover what the entry leaves once any position against it is closed."""

from rekt_tui.domain.brackets import Cover, bracket_cover, bracket_legs, bracket_lines
from rekt_tui.domain.trading import Position
from tests.unit.test_orders import MARKETS, NOW, ORACLE, order

USDC = 10**6
SOL = 10**9


def position(base, *, entry=150_090_000, break_even=150_090_000):
    return Position(0, "SOL-PERP", base, -base * entry // SOL, entry, ORACLE, 0, None, break_even)


def legs(entry, entry_price, **triggers):
    return bracket_legs(entry, entry_price=entry_price, oracle_price=ORACLE, markets=MARKETS, taken=set(), now=NOW,
                        **{"take_profit": None, "stop_loss": None, **triggers})  # fmt: skip


def test_legs_placed_beside_a_long_protect_it_now_at_its_break_even():
    """Long 1 SOL at $150.09; a limit buy 1 at $149 with TP 155 and SL 145: the legs are sells of
    1 SOL placed at once, so they close the long held now, not the entry still resting."""
    entry = order(kind="limit", price="149")
    bracket = legs(entry, 149 * USDC, take_profit="155", stop_loss="145")
    cover = bracket_cover(entry, position(SOL), 149 * USDC)
    assert cover == Cover(SOL, 150_090_000, SOL)
    assert bracket_lines(bracket, 149 * USDC, cover=cover) == [
        "Take-profit $155.00 (+3.27% from break-even), PnL +$4.91",
        "Stop-loss $145.00 (-3.39% from break-even), PnL -$5.09",
        "Both legs: reduce-only, no expiry, placed now to protect the current long of 1 SOL (break-even $150.09), "
        "not this entry's fill; 1 SOL of 2 SOL covered once it fills",
    ]


def test_a_larger_entry_beside_a_small_long_closes_only_the_long_now():
    entry = order(size="2", kind="limit", price="149")
    cover = bracket_cover(entry, position(SOL // 2, break_even=None), 149 * USDC)
    assert cover == Cover(SOL // 2, 150_090_000, SOL // 2)  # no break-even known: the entry price stands in


def test_legs_of_an_entry_that_flips_cover_only_what_it_opens():
    """Long 1 SOL; a stop-market sell 2 triggered at $148 with TP 140: the legs are placed at the
    fill and sized to the 1 SOL short it leaves, at the entry's price."""
    entry = order(side="sell", size="2", kind="stop-market", trigger="148")
    [take_profit] = legs(entry, 148 * USDC, take_profit="140")
    cover = bracket_cover(entry, position(SOL), 148 * USDC)
    assert cover == Cover(SOL, 148 * USDC, -SOL)
    assert bracket_lines((take_profit,), 148 * USDC, at_fill=True, cover=cover) == [
        "Take-profit $140.00 (-5.41% from entry), PnL +$8.00",
        "The take-profit: reduce-only, no expiry, placed as the entry fills, for the 1 SOL left once the long of "
        "1 SOL is closed",
    ]


def test_legs_of_an_entry_that_only_shrinks_a_position_cover_nothing():
    entry = order(side="sell", kind="limit", price="152")
    [take_profit] = legs(entry, 152 * USDC, take_profit="148")
    cover = bracket_cover(entry, position(2 * SOL), 152 * USDC)
    assert cover == Cover(0, 152 * USDC, -2 * SOL)
    assert bracket_lines((take_profit,), 152 * USDC, at_fill=True, cover=cover)[-1] == (
        "The take-profit: reduce-only, no expiry, placed as the entry fills, yet nothing to cover: the entry only "
        "shrinks the long of 2 SOL"
    )


def test_from_flat_the_legs_cover_the_entry_at_its_price():
    entry = order(kind="limit", price="149")
    bracket = legs(entry, 149 * USDC, take_profit="155")
    for held in (None, position(0)):
        cover = bracket_cover(entry, held, 149 * USDC)
        assert cover == Cover(SOL, 149 * USDC)
        assert bracket_lines(bracket, 149 * USDC, at_fill=True, cover=cover) == [
            "Take-profit $155.00 (+4.03% from entry), PnL +$6.00",
            "The take-profit: reduce-only, no expiry, placed as the entry fills",
        ]
