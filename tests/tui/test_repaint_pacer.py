"""The repaint pacer: the newest update of each kind, all kinds applied together on one shared tick."""

import pytest

from rekt_tui.tui.repaint_pacer import RepaintPacer

TICK_HZ = 30


class Loop:
    """Stands in for the app: a clock the test moves, `soon` callbacks and timers run when they fall due."""

    def __init__(self) -> None:
        self.now = 100.0
        self.queued: list[tuple[float, object]] = []  # (when, callback)

    def pacer(
        self, hz: int = TICK_HZ, cadences: dict[str, int] | None = None, shown=lambda: True, **options
    ) -> RepaintPacer:
        return RepaintPacer(
            lambda callback: self.queued.append((self.now, callback)),
            lambda delay, callback: self.queued.append((self.now + delay, callback)),
            hz,
            cadences,
            clock=lambda: self.now,
            shown=shown,
            **options,
        )

    def run_until(self, until: float) -> None:
        """Move the clock to `until`, running each callback at its time, in time order."""
        while True:
            ready = sorted((at, n) for n, (at, _) in enumerate(self.queued) if at <= until)
            if not ready:
                break
            at, n = ready[0]
            _, callback = self.queued.pop(n)
            self.now = max(self.now, at)
            callback()
        self.now = until


def test_only_the_newest_update_of_a_burst_is_applied_and_at_once_after_quiet():
    loop, applied = Loop(), []
    pacer = loop.pacer()
    for value in (1, 2, 3):
        pacer.offer("book", lambda value=value: applied.append(value))
    loop.run_until(loop.now)  # no time passes: the first tick after quiet waits for nothing but the queue
    assert applied == [3] and pacer.flushes["book"] == 1 and pacer.ticks == 1


def test_kinds_offered_between_ticks_are_applied_together_on_one_tick():
    loop, applied = Loop(), []
    pacer = loop.pacer()
    pacer.offer("hud book", lambda: applied.append("book 1"))
    loop.run_until(loop.now)
    loop.run_until(loop.now + 0.005)
    pacer.offer("hud book", lambda: applied.append("book 2"))
    loop.run_until(loop.now + 0.010)
    pacer.offer("hud account", lambda: applied.append("account"))  # would have gone at once with its own slot
    loop.run_until(loop.now + 0.010)
    assert applied == ["book 1"]  # both wait for the tick
    loop.run_until(100.0 + 1 / TICK_HZ)
    assert applied == ["book 1", "book 2", "account"] and pacer.ticks == 2


def test_a_slower_kind_keeps_its_cadence_on_the_ticks_and_never_adds_one():
    loop, applied = Loop(), []
    pacer = loop.pacer(cadences={"panel": 20})
    for step in range(300):  # 3 s of updates every 10 ms to both kinds
        loop.run_until(100.0 + step / 100)
        pacer.offer("hud", lambda: applied.append("hud"))
        pacer.offer("panel", lambda: applied.append("panel"))
    loop.run_until(103.0)
    assert pacer.ticks <= 3 * TICK_HZ + 1  # one frame per tick, whichever kinds it carries
    assert 3 * 20 - 2 <= pacer.flushes["panel"] <= 3 * 20 + 1  # 20 a second on average, not 15
    assert pacer.flushes["hud"] == pacer.ticks


def test_an_update_after_a_quiet_spell_is_not_held_back_by_a_slower_kind():
    loop, applied = Loop(), []
    pacer = loop.pacer(cadences={"panel": 20})
    pacer.offer("panel", lambda: applied.append("panel 1"))
    loop.run_until(loop.now)
    pacer.offer("panel", lambda: applied.append("panel 2"))  # due 50 ms after the first
    loop.run_until(loop.now + 0.001)
    pacer.offer("hud", lambda: applied.append("hud"))  # due at the next tick, 33 ms after the first
    loop.run_until(100.0 + 1 / TICK_HZ)
    assert applied == ["panel 1", "hud"]
    loop.run_until(100.05)
    assert applied == ["panel 1", "hud"]  # the panel is due, but the tick after the HUD's is not
    loop.run_until(100.0 + 2 / TICK_HZ)
    assert applied == ["panel 1", "hud", "panel 2"] and pacer.ticks == 3


def test_an_update_that_raises_does_not_strand_the_others():
    clock, queued = [0.0], []
    pacer = RepaintPacer(queued.append, lambda delay, tick: queued.append(tick), hz=30, clock=lambda: clock[0])
    shown: list[str] = []

    def broken() -> None:
        raise RuntimeError("a bug in one panel")

    pacer.offer("hud", broken)
    pacer.offer("book", lambda: shown.append("book"))
    with pytest.raises(RuntimeError):
        queued.pop(0)()
    assert queued, "the book's update is scheduled again"
    clock[0] = 1.0
    queued.pop(0)()
    assert shown == ["book"]


def test_while_covered_nothing_is_applied_and_the_newest_lands_on_resume():
    """A full screen over the dashboard: its updates would only make frames of what covers it."""
    loop, applied, covered = Loop(), [], [True]
    pacer = loop.pacer(shown=lambda: not covered[0])
    for value in range(5):
        pacer.offer("book", lambda value=value: applied.append(("book", value)))
        pacer.offer("hud", lambda value=value: applied.append(("hud", value)))
        loop.run_until(loop.now + 0.1)
    assert applied == [] and pacer.ticks == 0 and loop.queued == []  # nothing left waking it up
    covered[0] = False
    pacer.resume()
    loop.run_until(loop.now)
    assert applied == [("book", 4), ("hud", 4)] and pacer.ticks == 1
    pacer.resume()  # nothing pending: no tick
    loop.run_until(loop.now + 0.1)
    assert pacer.ticks == 1


def test_a_flood_slows_the_tick_to_the_flood_rate_and_the_chains_pace_keeps_the_fast_one():
    loop, applied = Loop(), []
    pacer = loop.pacer(flood_hz=20)
    for step in range(300):  # 3 s of a book every 10 ms: three or four a tick, a flood
        loop.run_until(100.0 + step / 100)
        pacer.offer("book", lambda: applied.append("book"))
    loop.run_until(103.0)
    flood_ticks = pacer.ticks
    assert 3 * 20 - 3 <= flood_ticks <= 3 * 20 + 6  # 20 a second once the first window judged it
    for step in range(1, 31):  # then 1 s of a book and a snapshot every 40 ms: the pace of fast slots
        loop.run_until(103.0 + step * 0.04)
        pacer.offer("book", lambda: applied.append("book"))
        pacer.offer("account", lambda: applied.append("account"))
        if step > 13:  # within two windows the pace is judged no flood: each lands as it comes
            loop.run_until(loop.now)
            assert loop.queued == [], f"step {step}: an update at the chain's pace waits for a slow tick"


def test_the_first_update_after_quiet_waits_for_its_bunch_and_lands_with_it_in_one_tick():
    """A slot's book and snapshots come a few ms apart: one frame for the bunch, not two a tick apart."""
    loop, applied = Loop(), []
    pacer = loop.pacer(gather_s=0.005)
    pacer.offer("account", lambda: applied.append("account"))
    loop.run_until(100.003)
    assert applied == []  # still gathering
    pacer.offer("book", lambda: applied.append("book"))  # the same slot's book, 3 ms later
    loop.run_until(100.005)
    assert applied == ["account", "book"] and pacer.ticks == 1
    loop.run_until(100.2)  # quiet again: the next slot's first update waits only for its bunch
    pacer.offer("book", lambda: applied.append("book 2"))
    loop.run_until(100.205)
    assert applied[-1] == "book 2" and pacer.ticks == 2


def test_an_at_once_kind_is_applied_as_it_comes_and_the_panels_after_their_gather():
    """The HUD's figures show as each update comes, in a frame of their own; the panels wait for the bunch."""
    loop, applied = Loop(), []
    pacer = loop.pacer(cadences={"panel": 20}, gather_s=0.02, at_once={"hud"})
    pacer.offer("hud", lambda: applied.append("hud 1"))
    pacer.offer("panel", lambda: applied.append("panel 1"))
    loop.run_until(loop.now)
    assert applied == ["hud 1"] and pacer.ticks == 1  # no gather, no tick to wait for
    loop.run_until(100.004)
    pacer.offer("hud", lambda: applied.append("hud 2"))  # the same bunch, 4 ms later: its own frame...
    loop.run_until(100.014)
    assert applied == ["hud 1"]  # ...but at most one a frame at 60 Hz
    loop.run_until(100.0 + 1 / 60)
    assert applied == ["hud 1", "hud 2"]
    loop.run_until(100.05)
    pacer.offer("hud", lambda: applied.append("hud 3"))  # the next slot's: not held back by the last
    loop.run_until(loop.now)
    assert applied == ["hud 1", "hud 2", "panel 1", "hud 3"]  # the panels came once the bunch was in (20 ms)
    assert pacer.ticks == 4 and pacer.flushes["hud"] == 3


def test_under_a_flood_the_at_once_kinds_share_the_slow_tick():
    loop, applied = Loop(), []
    pacer = loop.pacer(flood_hz=12, at_once={"hud"})
    judged = None
    for step in range(300):  # 3 s of a HUD update and a book every 10 ms
        loop.run_until(100.0 + step / 100)
        pacer.offer("hud", lambda: applied.append("hud"))
        pacer.offer("book", lambda: applied.append("book"))
        if judged is None and pacer.flooded:
            judged = (loop.now, pacer.ticks, pacer.flushes["hud"], pacer.flushes["book"])
    loop.run_until(103.0)
    assert judged is not None and judged[0] <= 100.1 and pacer.flooded
    assert pacer.ticks - judged[1] <= (103.0 - judged[0]) * 12 + 1  # from then on, a frame a flood tick
    assert pacer.flushes["hud"] - judged[2] == pacer.flushes["book"] - judged[3]  # the HUD rides the panels' frames


def test_a_slots_bunch_is_no_flood_and_a_flood_is_judged_within_a_tenth_of_a_second():
    loop = Loop()
    pacer = loop.pacer(flood_hz=12, at_once={"hud"})
    for slot in range(16):  # 50 ms slots, each with two snapshots 2 ms apart: the latency run's pace
        loop.run_until(100.0 + slot * 0.05)
        pacer.offer("hud", lambda: None)
        loop.run_until(loop.now + 0.002)
        pacer.offer("hud", lambda: None)
        assert not pacer.flooded, f"slot {slot}: the chain's pace taken for a flood"
    started = loop.now  # a window began with the last slot: its end is a quarter second away
    while not pacer.flooded:  # then an update every 3 ms
        loop.run_until(loop.now + 0.003)
        pacer.offer("hud", lambda: None)
    assert loop.now - started <= 0.1
