"""The repaint pacer: the newest update of each kind, at most `hz` a second per kind."""

from rekt_tui.tui.live import RepaintPacer


class Loop:
    """Stands in for the app: `soon` callbacks and timers run only when the test says."""

    def __init__(self) -> None:
        self.soon: list = []
        self.later: list = []

    def pacer(self, hz: int) -> RepaintPacer:
        return RepaintPacer(self.soon.append, lambda delay, callback: self.later.append(callback), hz)


def test_only_the_newest_update_of_a_burst_is_applied():
    loop, applied = Loop(), []
    pacer = loop.pacer(20)
    for value in (1, 2, 3):
        pacer.offer("book", lambda value=value: applied.append(value))
    assert len(loop.soon) == 1
    loop.soon.pop()()
    assert applied == [3] and pacer.flushes["book"] == 1


def test_a_kind_just_applied_waits_for_its_slot_without_holding_back_another_kind():
    loop, applied = Loop(), []
    pacer = loop.pacer(20)
    pacer.offer("book", lambda: applied.append("book 1"))
    loop.soon.pop()()
    pacer.offer("book", lambda: applied.append("book 2"))
    pacer.offer("account", lambda: applied.append("account"))
    assert len(loop.later) == 1 and len(loop.soon) == 1  # the second book waits; the account does not
    loop.soon.pop()()
    loop.later.pop()()
    assert applied == ["book 1", "account", "book 2"]
