"""Waiting on the localnet without sleeping longer than needed."""

import asyncio
import time


async def wait_for_status(rpc, signature: str, timeout: float = 5.0) -> dict:
    """Poll getSignatureStatuses until the transaction has landed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = (await rpc.result("getSignatureStatuses", [signature]))["value"][0]
        if status is not None:
            return status
        await asyncio.sleep(0.02)
    raise AssertionError(f"{signature} did not land within {timeout} s")


async def wait_for_slot(rpc, slot: int, timeout: float = 5.0) -> int:
    """Poll getSlot until the cluster reaches `slot`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = await rpc.result("getSlot")
        if current >= slot:
            return current
        await asyncio.sleep(0.02)
    raise AssertionError(f"slot {slot} not reached within {timeout} s")
