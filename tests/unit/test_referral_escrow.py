"""The relaunch's referral escrow: how many order slots a taker's markets need, and which fills
it refers (the discount a preview counts)."""

from solders.pubkey import Pubkey

from rekt_tui.velocity.layouts import MAX_ESCROW_ORDERS, EscrowView

REFERRER = Pubkey.new_unique()


def test_markets_without_a_referral_slot_take_the_free_ones_before_the_escrow_grows():
    escrow = EscrowView(REFERRER, frozenset({0}), free_slots=1, slots=2)
    assert escrow.slots_for([0]) == 2  # already referred
    assert escrow.slots_for([0, 1]) == 2  # the free slot
    assert escrow.slots_for([1, 2, 2, 3]) == 4  # one free, two more
    assert EscrowView(REFERRER, frozenset(), 0, MAX_ESCROW_ORDERS - 1).slots_for([5, 6, 7]) == MAX_ESCROW_ORDERS


def test_a_full_escrow_refers_a_new_market_until_the_program_s_limit():
    full = EscrowView(REFERRER, frozenset({0, 1}), free_slots=0, slots=2)
    assert full.refers(0) and full.refers(7)  # a take into market 7 makes its slot first
    at_limit = EscrowView(REFERRER, frozenset({0}), free_slots=0, slots=MAX_ESCROW_ORDERS)
    assert at_limit.refers(0) and not at_limit.refers(7)
    assert not EscrowView(Pubkey.default(), frozenset({0}), 1, 2).refers(0)  # no referrer: nothing to refer
