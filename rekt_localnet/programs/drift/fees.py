"""Taker fees, maker rebates and referral rewards of a perp fill, as Drift splits them.

A taker whose UserStats names a referrer, filled in an instruction that also names
the referrer's User and UserStats (driftpy passes them with `referrer_info`; the
keeper passes them for every referred taker), pays the fee less the referee discount,
and the referrer earns a share of the fee, credited to its position's quote in that
market (it reaches its USDC balance when settled). Fees and rewards are counted on
both UserStats.
"""

from dataclasses import dataclass
from typing import Any

from driftpy.addresses import get_user_account_public_key, get_user_stats_account_public_key
from solders.pubkey import Pubkey

from rekt_localnet.keys import DRIFT_PROGRAM_ID

from .positions import perp_position_for
from .view import DriftView


@dataclass(frozen=True, slots=True)
class Referral:
    taker_stats: Pubkey
    referrer_user: Pubkey | None  # None: the taker has no referrer, or it was not passed
    referrer_stats: Pubkey | None


def referral(view: DriftView, taker: Any) -> Referral | None:
    """The taker's UserStats, with its referrer's accounts if both are in this instruction."""
    stats_key = get_user_stats_account_public_key(DRIFT_PROGRAM_ID, taker.authority)
    if stats_key not in view.keys("UserStats"):
        return None
    referrer = view.get(stats_key, "UserStats").referrer
    if referrer == Pubkey.default():
        return Referral(stats_key, None, None)
    user_key = get_user_account_public_key(DRIFT_PROGRAM_ID, referrer, 0)
    referrer_stats = get_user_stats_account_public_key(DRIFT_PROGRAM_ID, referrer)
    if user_key not in view.users() or referrer_stats not in view.keys("UserStats"):
        return Referral(stats_key, None, None)
    return Referral(stats_key, user_key, referrer_stats)


def charge_taker(view: DriftView, referred: Referral | None, market: Any, quote: int) -> int:
    """The fee the taker pays on `quote` (rounded up), after any referee discount; pays
    the referrer its reward and records both sides' fee statistics."""
    tier = view.state().perp_fee_structure.fee_tiers[0]
    fee = -(-quote * tier.fee_numerator // tier.fee_denominator)
    if referred is None:
        return fee
    discount = reward = 0
    if referred.referrer_user is not None:
        discount = fee * tier.referee_fee_numerator // tier.referee_fee_denominator
        reward = fee * tier.referrer_reward_numerator // tier.referrer_reward_denominator
        referrer = view.get(referred.referrer_user, "User")
        perp_position_for(referrer, market.market_index).quote_asset_amount += reward
        view.get(referred.referrer_stats, "UserStats").fees.total_referrer_reward += reward
        view.save(referred.referrer_user)
        view.save(referred.referrer_stats)
    stats = view.get(referred.taker_stats, "UserStats")
    stats.fees.total_fee_paid += fee - discount
    stats.fees.total_referee_discount += discount
    view.save(referred.taker_stats, required=False)
    return fee - discount
