"""T7 against a real localnet rate-limiting half of all requests (`http429`, with
`Retry-After: 1`): our reads and driftpy's connect retry with backoff and jitter within a
bounded time; a dead RPC ends in one sentence; a call that may have taken effect is not
repeated after a timeout.
"""

import time

import pytest

from rekt_tui.drift.client import build_client
from rekt_tui.drift.retry import RetryPolicy, RpcUnavailable, with_retries
from rekt_tui.drift.rpc import JsonRpc, RpcTimeout, RpcTransportError
from solders.keypair import Keypair

from .test_gateway_support import endpoint

pytestmark = pytest.mark.slow

QUICK = RetryPolicy(total_s=20.0, initial_s=0.05, max_s=0.2)


@pytest.fixture
async def admin(live):
    rpc = JsonRpc(live.rpc_url)
    yield rpc
    await rpc.call_once("rekt_clearFaults", [])
    await rpc.close()


async def test_reads_succeed_through_half_429s(live, admin):
    rpc = JsonRpc(live.rpc_url, policy=QUICK)
    await admin.call_once("rekt_setFaults", [{"http429": 0.5}])
    with pytest.raises(RpcTransportError):  # one attempt meets a 429 sooner or later
        for _ in range(40):
            await rpc.call_once("getSlot", [])
    slots = [await rpc.call("getSlot", []) for _ in range(20)]
    assert slots == sorted(slots) and all(isinstance(slot, int) for slot in slots)
    await rpc.close()


async def test_retry_after_is_honoured_up_to_the_cap(live, admin):
    rpc = JsonRpc(live.rpc_url, policy=RetryPolicy(total_s=20.0, initial_s=0.01, max_s=0.6))
    await admin.call_once("rekt_setFaults", [{"http429": 1.0}])
    sleeps: list[float] = []

    async def recorded(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3:
            await admin.call_once("rekt_clearFaults", [])

    await with_retries(lambda: rpc.call_once("getSlot", []), "reading the slot", rpc.policy, sleep=recorded)
    assert len(sleeps) == 3 and all(s == pytest.approx(0.6) for s in sleeps)  # Retry-After 1 s, capped at 0.6
    await rpc.close()


async def test_a_dead_rpc_ends_in_one_sentence_within_the_budget(live, admin):
    rpc = JsonRpc(live.rpc_url, policy=RetryPolicy(total_s=1.5, initial_s=0.05, max_s=0.2))
    await admin.call_once("rekt_setFaults", [{"http429": 1.0}])
    started = time.monotonic()
    with pytest.raises(RpcUnavailable) as refused:
        await rpc.call("getBalance", [str(Keypair().pubkey())])
    assert 1.4 < time.monotonic() - started < 3.0
    assert refused.value.message == (
        f"The RPC kept failing (HTTP 429) for 1.5 s while calling getBalance on {live.rpc_url}; "
        "try again later, or set another rpc_url for this cluster."
    )
    await rpc.close()


async def test_a_timed_out_call_that_may_have_acted_is_not_repeated(live, admin):
    rpc = JsonRpc(live.rpc_url, timeout_s=0.2, policy=QUICK)
    await admin.call_once("rekt_setFaults", [{"latencyMs": 400}])
    started = time.monotonic()
    with pytest.raises(RpcTimeout):
        await rpc.call("requestAirdrop", [str(Keypair().pubkey()), 1])
    assert time.monotonic() - started < 0.4  # one attempt only
    await rpc.close()


async def test_driftpy_connects_and_reads_through_half_429s(live, admin):
    await admin.call_once("rekt_setFaults", [{"http429": 0.5}])
    client = build_client(endpoint(live), Keypair())  # its connection retries (resilient_connection)
    started = time.monotonic()
    await client.account_subscriber.subscribe()
    print(f"driftpy subscribed in {time.monotonic() - started:.1f} s at 50 % 429s")
    assert client.get_perp_market_account(0) is not None and client.get_state_account() is not None
    for _ in range(10):
        assert (await client.connection.get_balance(Keypair().pubkey())).value == 0
    await client.account_subscriber.unsubscribe()
    await client.connection.close()
