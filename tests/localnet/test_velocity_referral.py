"""Referral on the relaunch localnet, paid through the taker's RevenueShareEscrow: the escrow
copies the referrer, a referred fill is discounted and accrues the referrer's reward in the
escrow, and an escrow once opened must ride on every fill."""

from hypothesis import given
from hypothesis import strategies as st
from solders.instruction import AccountMeta
from solders.keypair import Keypair

from rekt_localnet.keys import LOCALNET_REFERRER
from rekt_localnet.programs.velocity.referral import _proportion
from rekt_tui.velocity.codec import trader_instructions as ti
from rekt_tui.velocity.codec.order_params import OrderParams
from rekt_tui.velocity.previews import share

from .helpers import wait_for_status
from .velocity_support import (
    PROGRAM, SOL, USDT, Trader, account, deposit_quote, funded_trader, limit, make, new_trader, send, take, velocity,
    vrpc,
)  # fmt: skip

__all__ = ["velocity", "vrpc"]  # fixtures
BUILDER_REFERRAL = 4  # UserStats.referrer_status
REFERRAL_ROW = 4  # RevenueShareOrder.bit_flags
REFERRER_STATS = PROGRAM.pdas.user_stats(LOCALNET_REFERRER)
# A 3 SOL fill at 151: the tier's 10 bps taker fee, the 5 % referee discount, the referrer's share.
QUOTE, FEE = 453 * USDT, 453_000
DISCOUNT, ACCELERATED_REWARD, STANDARD_REWARD = 22_650, 90_600, 45_300
ASK_151 = limit("Short", 4 * SOL, 151 * USDT, post_only="MustPostOnly")


def escrow_of(trader: Trader):
    return PROGRAM.pdas.revenue_share_escrow(trader.key)


async def open_escrow(rpc, trader: Trader, slots: int = 3):
    opening = ti.initialize_revenue_share_escrow(PROGRAM, trader.key, trader.key, slots)
    return await send(rpc, [opening], [trader.keypair])


async def lamports(rpc, key) -> int:
    return (await rpc.result("getBalance", str(key)))["value"]


async def escrow_bytes(rpc, trader: Trader) -> int:
    info = (await rpc.result("getAccountInfo", str(escrow_of(trader)), {"encoding": "base64"}))["value"]
    return info["space"]


async def test_the_escrow_copies_the_referrer_and_marks_the_trader_referred(velocity, vrpc):
    trader = await new_trader(vrpc)
    opened = await open_escrow(vrpc, trader)
    assert opened.err is None, opened.logs
    escrow = await account(vrpc, escrow_of(trader), "RevenueShareEscrow")
    assert (escrow["authority"], escrow["referrer"]) == (trader.key, LOCALNET_REFERRER)
    assert len(escrow["orders"]) == 3 and not any(row["bit_flags"] for row in escrow["orders"])
    assert await escrow_bytes(vrpc, trader) == 152 + 3 * 32  # the program's room: slots and one builder
    assert (await account(vrpc, trader.stats, "UserStats"))["referrer_status"] & BUILDER_REFERRAL


async def test_the_escrow_needs_the_first_sub_account(velocity, vrpc):
    wallet = Trader(Keypair())
    await wait_for_status(vrpc, await vrpc.result("requestAirdrop", str(wallet.key), SOL))
    stats_only = await send(vrpc, [ti.initialize_user_stats(PROGRAM, wallet.key, wallet.key)], [wallet.keypair])
    assert stats_only.err is None, stats_only.logs
    refused = await open_escrow(vrpc, wallet)
    assert refused.code == 6234, refused.logs  # UserNotFound


async def _maker_and_referred_taker(rpc) -> tuple[Trader, Trader]:
    maker, taker = await funded_trader(rpc, 10_000 * USDT), await funded_trader(rpc, 1_000 * USDT)
    rested = await send(rpc, [make(maker, ASK_151)], [maker.keypair])
    assert rested.err is None, rested.logs
    opened = await open_escrow(rpc, taker)
    assert opened.err is None, opened.logs
    return maker, taker


def _fill(sent) -> dict:
    events = PROGRAM.events.from_logs(sent.logs)
    [fill] = [e.fields for e in events if e.name == "OrderActionRecord" and e.fields["action"] == "Fill"]
    return fill


async def test_a_referred_fill_is_discounted_and_accrues_the_referrer_reward_in_the_escrow(velocity, vrpc):
    maker, taker = await _maker_and_referred_taker(vrpc)
    pending_before = (await account(vrpc, PROGRAM.pdas.perp_market(0), "PerpMarket"))["pending_revenue_share"]
    referral = [AccountMeta(escrow_of(taker), False, True), AccountMeta(REFERRER_STATS, False, False)]
    sent = await send(vrpc, [take(taker, OrderParams("Market", "Long", 3 * SOL, 0, 0), [maker], after_makers=referral)],
                      [taker.keypair])  # fmt: skip
    assert sent.err is None, sent.logs

    fill = _fill(sent)
    assert (fill["taker_fee"], fill["referrer_reward"]) == (FEE - DISCOUNT, ACCELERATED_REWARD)
    held = next(p for p in (await account(vrpc, taker.user, "User"))["perp_positions"] if p["base_asset_amount"])
    assert held["quote_asset_amount"] == -QUOTE - (FEE - DISCOUNT)
    stats = await account(vrpc, taker.stats, "UserStats")
    assert (stats["fees"]["total_fee_paid"], stats["fees"]["total_referee_discount"]) == (FEE - DISCOUNT, DISCOUNT)
    [row] = [row for row in (await account(vrpc, escrow_of(taker), "RevenueShareEscrow"))["orders"] if row["bit_flags"]]
    assert (row["bit_flags"], row["market_index"], row["market_type"]) == (REFERRAL_ROW, 0, "Perp")
    assert row["fees_accrued"] == ACCELERATED_REWARD  # the referrer's UserStats marks it Accelerated: 20 %
    pending = (await account(vrpc, PROGRAM.pdas.perp_market(0), "PerpMarket"))["pending_revenue_share"]
    assert pending - pending_before == ACCELERATED_REWARD


async def test_without_the_referrers_stats_the_reward_is_the_tiers(velocity, vrpc):
    maker, taker = await _maker_and_referred_taker(vrpc)
    referral = [AccountMeta(escrow_of(taker), False, True)]
    sent = await send(vrpc, [take(taker, OrderParams("Market", "Long", 3 * SOL, 0, 0), [maker], after_makers=referral)],
                      [taker.keypair])  # fmt: skip
    assert sent.err is None, sent.logs
    assert (_fill(sent)["taker_fee"], _fill(sent)["referrer_reward"]) == (FEE - DISCOUNT, STANDARD_REWARD)


async def test_an_opened_escrow_must_ride_on_every_fill(velocity, vrpc):
    maker, taker = await _maker_and_referred_taker(vrpc)
    order = OrderParams("Market", "Long", 3 * SOL, 0, 0)
    missing = await send(vrpc, [take(taker, order, [maker])], [taker.keypair])
    assert missing.code == 6324, missing.logs  # UnableToLoadRevenueShareAccount
    other = await new_trader(vrpc)
    assert (await open_escrow(vrpc, other)).err is None
    foreign = await send(vrpc, [take(taker, order, [maker], after_makers=[AccountMeta(escrow_of(other), False, True)])],
                         [taker.keypair])  # fmt: skip
    assert foreign.code == 6320, foreign.logs  # RevenueShareEscrowAuthorityMismatch


async def test_an_unreferred_escrow_earns_nothing(velocity, vrpc):
    maker = await funded_trader(vrpc, 10_000 * USDT)
    rested = await send(vrpc, [make(maker, ASK_151)], [maker.keypair])
    assert rested.err is None, rested.logs
    taker = await new_trader(vrpc, quote=1_000 * USDT, referrer=False)
    assert (await send(vrpc, [deposit_quote(taker, 1_000 * USDT)], [taker.keypair])).err is None
    assert (await open_escrow(vrpc, taker)).err is None
    assert not (await account(vrpc, taker.stats, "UserStats"))["referrer_status"] & BUILDER_REFERRAL
    referral = [AccountMeta(escrow_of(taker), False, True)]
    sent = await send(vrpc, [take(taker, OrderParams("Market", "Long", 3 * SOL, 0, 0), [maker], after_makers=referral)],
                      [taker.keypair])  # fmt: skip
    assert sent.err is None, sent.logs
    assert (_fill(sent)["taker_fee"], _fill(sent)["referrer_reward"]) == (FEE, 0)
    assert not any(row["bit_flags"] for row in (await account(vrpc, escrow_of(taker), "RevenueShareEscrow"))["orders"])


@given(st.integers(0, 10**12), st.integers(1, 1_000), st.integers(1, 1_000))
def test_the_previews_share_rounds_as_the_program_does(value, numerator, denominator):
    assert share(value, numerator, denominator) == _proportion(value, numerator, denominator)
    if denominator // 2 < numerator < denominator and value * numerator % denominator:
        assert share(value, numerator, denominator) == value * numerator // denominator + 1  # over half: up


async def test_an_escrow_grows_by_resize_and_never_shrinks(velocity, vrpc):
    trader = await new_trader(vrpc)
    assert (await open_escrow(vrpc, trader, slots=1)).err is None
    wallet_before, escrow_before = await lamports(vrpc, trader.key), await lamports(vrpc, escrow_of(trader))
    grown = await send(vrpc, [ti.resize_revenue_share_escrow_orders(PROGRAM, trader.key, trader.key, 3)],
                       [trader.keypair])  # fmt: skip
    assert grown.err is None, grown.logs
    escrow = await account(vrpc, escrow_of(trader), "RevenueShareEscrow")
    assert len(escrow["orders"]) == 3 and not any(row["bit_flags"] for row in escrow["orders"])
    assert escrow["referrer"] == LOCALNET_REFERRER
    assert await escrow_bytes(vrpc, trader) == 112 + 3 * 32  # exactly its slots and builders (none approved)
    rent = await vrpc.result("getMinimumBalanceForRentExemption", 112 + 3 * 32)
    assert await lamports(vrpc, escrow_of(trader)) == rent
    paid = wallet_before - await lamports(vrpc, trader.key)
    assert paid == rent - escrow_before + 5_000  # the rent's top-up and the signature's fee

    shrunk = await send(vrpc, [ti.resize_revenue_share_escrow_orders(PROGRAM, trader.key, trader.key, 2)],
                        [trader.keypair])  # fmt: skip
    assert shrunk.code == 6317, shrunk.logs  # InvalidRevenueShareResize
    other = await new_trader(vrpc)
    foreign = ti.resize_revenue_share_escrow_orders(PROGRAM, trader.key, other.key, 4)  # anyone may pay
    assert (await send(vrpc, [foreign], [other.keypair])).err is None
    assert len((await account(vrpc, escrow_of(trader), "RevenueShareEscrow"))["orders"]) == 4
