"""The checklist's line text: marks, the key to press, and progress while a step confirms."""

from dataclasses import replace

from rekt_tui.domain.checklist import ChecklistAction, ItemState
from rekt_tui.tui.screens.checklist import item_lines
from tests.tui.screen_data import half_done_checklist


def items():
    return {item.id: item for item in half_done_checklist().items}


def test_open_lines_name_their_key_and_a_confirming_step_says_so():
    lines = items()
    heading, detail = item_lines(lines["strategy"], None, localnet=True)
    assert heading.plain == "○ Strategy chosen  [t]" and "No strategy chosen" in detail.plain
    confirming = item_lines(lines["collateral"], "deposit", localnet=True)[0]
    assert confirming.plain == "○ Collateral deposited  ⋯ confirming on chain"
    assert item_lines(lines["wallet_funded"], None, localnet=True)[0].plain == "✓ Session wallet funded"
    assert lines["confirmed"].state is ItemState.BLOCKED
    assert item_lines(lines["confirmed"], None, localnet=True)[0].plain == "· Start trading confirmed"


def test_only_localnet_offers_a_key_to_fund_the_wallet():
    unfunded = replace(items()["wallet_funded"], state=ItemState.TODO, action=ChecklistAction.FUND_WALLET)
    assert item_lines(unfunded, None, localnet=True)[0].plain == "○ Session wallet funded  [a]"
    assert item_lines(unfunded, None, localnet=False)[0].plain == "○ Session wallet funded"
    assert item_lines(unfunded, "fund_usdc", localnet=True)[0].plain.endswith("⋯ confirming on chain")
