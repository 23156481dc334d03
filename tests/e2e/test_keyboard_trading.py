"""Trading from the keyboard alone, through the installed `rekt-tui` in a terminal: every order
type on a market other than the first (ETH-PERP), a bracket on the entry, a modify, half a
position closed, the `:` command line, and the stop. The CLI only reads, to check."""

import re

import pytest

from tests.e2e.tmux import (
    Cockpit,
    assert_archived_with_nothing_on_chain,
    close_progress,
    start_trading,
    stop_question,
)

ETH = 10**9
USD = 10**6


def eth_status(cockpit: Cockpit) -> tuple[list[dict], list[dict]]:
    status = cockpit.cli_json("status")
    positions = [p for p in status["positions"] if p["symbol"] == "ETH-PERP"]
    return positions, [o for o in status["orders"] if o["market_index"] == 2]


def eth_oracle(cockpit: Cockpit) -> float:
    markets = cockpit.cli_json("markets")["markets"]
    return next(m for m in markets if m["symbol"] == "ETH-PERP")["oracle_price"] / USD


def confirm_order(cockpit: Cockpit, preview: str, title: str, *, rests: bool = True) -> None:
    """The preview of what is typed, Enter, the confirmation, y; the entry closes and, for an
    order that rests, the chain holds one more (orders are placed one at a time)."""
    tmux = cockpit.tmux
    before = len(eth_status(cockpit)[1])
    tmux.wait_for(preview, "Leverage after")
    tmux.send("Enter")
    tmux.wait_for("Sign and send this order?", "y confirms")
    tmux.send("y")
    tmux.wait_gone(title)
    if rests:
        tmux.wait_until(lambda: len(eth_status(cockpit)[1]) > before, f"{preview} resting on chain")


def command_line(cockpit: Cockpit, line: str) -> None:
    tmux = cockpit.tmux
    tmux.send(":")
    tmux.wait_for(":buy 1.5 SOL")  # the line's placeholder
    tmux.type(line)
    tmux.send("Enter")


@pytest.mark.slow
@pytest.mark.timeout(400)
@pytest.mark.parametrize("venue", ["drift", "velocity"])
def test_every_order_type_a_bracket_a_modify_and_half_a_close_from_the_keyboard(cockpit, venue):
    tmux = cockpit.tmux
    pubkey = start_trading(cockpit)
    tmux.send("Escape")
    tmux.wait_gone("Start-trading checklist")
    tmux.send("Escape")
    tmux.wait_gone("+ New session wallet")
    tmux.wait_for("Positions", "No open positions.")
    oracle = eth_oracle(cockpit)
    up, down = round(oracle * 1.05), round(oracle * 0.95)

    # Market buy on the third market, with a take-profit and a stop-loss attached.
    tmux.send("b")
    tmux.wait_for("Buy order", "Type a size to see the preview.")
    tmux.send("n")
    tmux.send("n")
    tmux.type("0.02")
    tmux.send("g")
    tmux.type(str(round(oracle * 1.1)))
    tmux.send("l")
    tmux.type(str(round(oracle * 0.9)))
    confirm_order(cockpit, "Market buy 0.02 ETH (ETH-PERP)", "Buy order", rests=False)
    tmux.wait_for(re.compile(r"ETH-PERP\s+long\s+0\.02 ETH"))
    tmux.wait_until(lambda: len(eth_status(cockpit)[1]) == 2, "the bracket's two legs", timeout=40)
    tmux.wait_for("↳ TP", "↳ SL")

    # Stop-market buy by the direct keys: type, size, Tab to the trigger.
    tmux.send("b")
    tmux.wait_for("Buy order")
    tmux.send("n")
    tmux.send("n")
    tmux.send("t")
    tmux.send("t")
    tmux.type("0.01")
    tmux.send("Tab")
    tmux.type(str(round(oracle * 1.03)))
    confirm_order(cockpit, "Stop market buy 0.01 ETH (ETH-PERP)", "Buy order")

    # Limit sell 2 % above the market, which rests: size, Tab to the price.
    tmux.send("s")
    tmux.wait_for("Sell order")
    tmux.send("n")
    tmux.send("n")
    tmux.send("t")
    tmux.type("0.01")
    tmux.send("Tab")
    tmux.type(str(round(oracle * 1.02)))
    confirm_order(cockpit, "Limit sell 0.01 ETH (ETH-PERP)", "Sell order")

    # The other three types from the `:` line, each through the same preview and confirm.
    for line, preview, title in (
        (f"order ETH-PERP buy 0.01 --type stop-limit --trigger {up} --price {up + 5} --allow-stacking",
         "Stop limit buy 0.01 ETH", "Buy order"),
        (f"sell 0.01 ETH-PERP --type take-profit --trigger {up} --allow-stacking",  # the line's shorthand
         "Take profit sell 0.01 ETH", "Sell order"),
        (f"order ETH-PERP buy 0.01 --type take-profit-limit --trigger {down} --price {down} --allow-stacking",
         "Take profit limit buy 0.01 ETH", "Buy order"),
    ):  # fmt: skip
        command_line(cockpit, line)
        confirm_order(cockpit, preview, title)
    positions, orders = eth_status(cockpit)
    types = sorted(o["order_type"] for o in orders if not o["reduce_only"])
    assert types == ["limit", "trigger_limit", "trigger_limit", "trigger_market", "trigger_market"], orders

    # Modify the resting limit sell's price from the `:` line.
    [limit] = [o for o in orders if o["order_type"] == "limit"]
    new_price = round(limit["price"] / USD) + 7
    command_line(cockpit, f"modify {limit['order_id']} --price {new_price}")
    tmux.wait_for("Modify order", "Leverage after")
    tmux.send("Enter")
    tmux.wait_for("Sign and send this modification?", "y confirms")
    tmux.send("y")
    tmux.wait_until(
        lambda: any(o["order_type"] == "limit" and o["price"] == new_price * USD for o in eth_status(cockpit)[1]),
        "the modified price on chain",
    )

    # Close half of the position from the positions panel.
    tmux.send("1")
    tmux.send("x")
    tmux.wait_for("Close position")
    tmux.send("2")
    tmux.wait_for("Close 50% of the ETH-PERP long")
    tmux.send("y")
    tmux.wait_until(
        lambda: [p["base_amount"] for p in eth_status(cockpit)[0]] == [ETH // 100], "half the position closed"
    )

    # One key to stop: everything is cancelled, closed, settled, withdrawn and archived.
    tmux.send("C-x")
    tmux.wait_for(*stop_question(pubkey))
    tmux.send("y")
    tmux.wait_for("✓ Archive session", timeout=90)
    assert_archived_with_nothing_on_chain(cockpit, pubkey)
    close_progress(cockpit)
    cockpit.quit()
