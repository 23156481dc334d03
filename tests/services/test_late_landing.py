"""R5 on a live Drift localnet: a market order whose status shows only after its blockhash
expired (a lagging node) is found on chain by the account's order numbering and is
never rebuilt, so the position is not doubled; its row is confirmed, not expired.
"""

import asyncio

import pytest

from rekt_tui.domain.records import TransactionStatus
from rekt_tui.services.models import OrderForm
from tests.services.test_orders_service import SOL, close_desk, open_desk, until

pytestmark = pytest.mark.slow

SLOT_S = 0.05  # open_desk's localnet: 150 slots of validity = 7.5 s


async def test_a_late_landing_order_is_adopted_not_rebuilt(tmp_path):
    desk = await open_desk(tmp_path)
    try:
        before = await desk.transactions()
        await desk.admin.call("rekt_delayConfirmations", [200])
        placed = await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.2"))
        await desk.admin.call("rekt_clearTransactionFaults", [])

        new = await desk.transactions() - before
        rows = (await desk.services.registry.list_transactions(desk.pubkey, limit=100))[:new]
        assert [(r.kind, r.status, r.rebuild_of) for r in rows] == [(rows[0].kind, TransactionStatus.CONFIRMED, None)]
        assert placed.signature == rows[0].signature

        async def filled():
            await desk.fresh()
            return desk.base() == SOL // 5

        await until(filled, what="the one fill")
        await asyncio.sleep(220 * SLOT_S)  # the held status shows; nothing else lands
        await desk.fresh()
        assert desk.base() == SOL // 5
    finally:
        await close_desk(desk)


async def test_an_interrupted_transaction_is_resolved_before_the_next_is_signed(tmp_path):
    """R4: a row persisted before a crash (never broadcast) is driven to its outcome
    before the next order is signed, so a retried command can never double an effect."""
    from solders.hash import Hash
    from solders.keypair import Keypair
    from solders.system_program import TransferParams, transfer
    from solders.transaction import Transaction

    from rekt_tui.drift.sender import signature_of

    desk = await open_desk(tmp_path)
    try:
        wallet = (await desk.services.keystore()).load(desk.pubkey)
        recipient = Keypair().pubkey()
        payment = transfer(TransferParams(from_pubkey=wallet.pubkey(), to_pubkey=recipient, lamports=10**6))
        latest = (await desk.admin.call("getLatestBlockhash", [{"commitment": "confirmed"}]))["value"]
        blockhash = Hash.from_string(latest["blockhash"])
        wire = bytes(Transaction.new_signed_with_payer([payment], wallet.pubkey(), [wallet], blockhash))
        await desk.services.registry.record_transaction(
            desk.pubkey, kind="transfer", intent="{}", signature=signature_of(wire), raw_tx=wire,
            last_valid_block_height=latest["lastValidBlockHeight"],
        )  # fmt: skip  (the process died here: signed and persisted, never sent)

        await desk.orders.place(OrderForm("SOL-PERP", "buy", "0.1", kind="limit", price="100"))

        rows = await desk.services.registry.list_transactions(desk.pubkey, limit=2)
        assert [(r.kind, r.status) for r in rows] == [
            (rows[0].kind, TransactionStatus.CONFIRMED), ("transfer", TransactionStatus.CONFIRMED)
        ]
        assert rows[1].confirmed_at <= rows[0].created_at  # resolved before the order was signed
        balance = await desk.admin.call("getBalance", [str(recipient), {"commitment": "confirmed"}])
        assert balance["value"] == 10**6
    finally:
        await close_desk(desk)
