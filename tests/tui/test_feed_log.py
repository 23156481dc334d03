"""The activity log's feed lines: an outage's retries are said once, and its end once, with how long it lasted."""

from datetime import UTC, datetime

from rekt_tui.domain.feed import FeedEvent, FeedState
from rekt_tui.tui.feed_log import FeedLog

AT = datetime(2026, 12, 7, tzinfo=UTC)


def event(state: FeedState, reason: str = "", feed: str = "account") -> FeedEvent:
    return FeedEvent(feed, state, AT, reason)


def test_a_silent_feed_retrying_is_said_once_and_its_return_says_how_long_it_was_out():
    lines: list[tuple[str, str]] = []
    clock = [100.0]
    log = FeedLog(lambda line, severity: lines.append((line, severity)), clock=lambda: clock[0])
    log.event(event(FeedState.CONNECTING))
    log.event(event(FeedState.CONNECTED))
    log.freshness("account", False)
    assert lines == [("account feed connecting", "information"), ("account feed connected", "information")]

    lines.clear()
    for _ in range(30):  # ten minutes of a silent socket dropped and opened every 10 s
        log.freshness("account", True)
        log.event(event(FeedState.STALE, "nothing received for 10 s"))
        log.event(event(FeedState.RECONNECTING, "silent"))
        log.event(event(FeedState.CONNECTED))
        clock[0] += 20
    assert lines == [
        ("account feed stale: nothing received for 10 s", "warning"),
        ("account feed reconnecting: silent", "warning"),
        ("account feed connected", "information"),
    ]
    log.event(event(FeedState.RECONNECTING, "connection refused"))  # a new reason is news
    assert lines[-1] == ("account feed reconnecting: connection refused", "warning")

    lines.clear()
    log.freshness("account", False)
    log.freshness("account", False)
    assert lines == [("account feed live again after 10m without data", "information")]
    log.event(event(FeedState.STALE, "nothing received for 10 s"))  # a new outage is said again
    assert lines[-1] == ("account feed stale: nothing received for 10 s", "warning")


def test_a_short_hiccup_nobody_was_told_of_ends_in_silence_and_feeds_are_apart():
    lines: list[str] = []
    log = FeedLog(lambda line, severity: lines.append(line), clock=lambda: 0.0)
    log.freshness("account", True)  # older than the limit for a moment, no trouble said
    log.event(event(FeedState.CONNECTED))
    log.freshness("account", False)
    assert lines == ["account feed connected"]
    log.event(event(FeedState.STALE, "nothing received for 10 s", feed="orderbook"))
    log.event(event(FeedState.STALE, "nothing received for 10 s"))
    assert lines[1:] == [
        "orderbook feed stale: nothing received for 10 s", "account feed stale: nothing received for 10 s",
    ]  # fmt: skip
