"""Creating a trader's accounts: UserStats once per wallet, then a User per sub-account.

As on the relaunch, `initialize_user_stats` needs only the payer's signature, the program
creates each account by CPI to the System program (signing for the PDA), and a referrer is
passed as its User and UserStats among the remaining accounts: it is written into the new
UserStats (`referrer`, with the status bits on both sides) when sub-account 0 is opened.
"""

import struct
from typing import Any

from solders.pubkey import Pubkey

from rekt_localnet.account import rent_exempt_minimum
from rekt_localnet.keys import SYSTEM_PROGRAM_ID
from rekt_localnet.runtime.program import AccountRef, InstructionError

from . import accounts as images
from .codec import VELOCITY_PROGRAM_ID, program, size
from .constants import REFERRER_IS_REFERRED, REFERRER_IS_REFERRER
from .errors import fail
from .view import VelocityView

_CREATE_ACCOUNT = struct.Struct("<IQQ32s")


def _create(view: VelocityView, payer: Pubkey, address: Pubkey, kind: str) -> None:
    length = size(kind)
    data = _CREATE_ACCOUNT.pack(0, rent_exempt_minimum(length), length, bytes(VELOCITY_PROGRAM_ID))
    refs = [AccountRef(payer, True, True), AccountRef(address, True, True)]
    view.ctx.invoke(SYSTEM_PROGRAM_ID, refs, data, signers=[address])


def initialize_user_stats(view: VelocityView, accounts: Any, args: dict[str, Any]) -> None:
    if not view.is_signer(accounts.payer):
        raise InstructionError("MissingRequiredSignature", "the payer must sign")
    if accounts.user_stats != program().pdas.user_stats(accounts.authority):
        raise InstructionError("InvalidSeeds", "user stats is not the authority's PDA")
    _create(view, accounts.payer, accounts.user_stats, "UserStats")
    stats = images.user_stats(authority=accounts.authority, sub_accounts=0, now=view.ctx.clock.unix_timestamp)
    view.adopt(accounts.user_stats, "UserStats", stats)
    view.save(accounts.user_stats)
    view.state()["number_of_authorities"] += 1
    view.save(program().pdas.state())


def _referrer(view: VelocityView, new_user: Pubkey, own_stats: Pubkey) -> tuple[dict[str, Any], Pubkey] | None:
    """The referrer's UserStats (and its key) from the remaining accounts, if any were passed."""
    users = [key for key in view.keys("User") if key != new_user]
    stats = [key for key in view.keys("UserStats") if key != own_stats]
    if not users and not stats:
        return None
    if len(users) != 1 or len(stats) != 1:
        raise fail("CouldNotDeserializeReferrer", "expected the referrer's User and UserStats")
    referrer_user, referrer_stats = view.get(users[0], "User"), view.get(stats[0], "UserStats")
    if referrer_user["authority"] != referrer_stats["authority"]:
        raise fail("DidNotReceiveExpectedReferrer", "the referrer's User and UserStats belong to different wallets")
    return referrer_stats, stats[0]


def initialize_user(view: VelocityView, accounts: Any, args: dict[str, Any]) -> None:
    authority, sub_account_id = accounts.authority, args["sub_account_id"]
    if not view.is_signer(accounts.payer):
        raise InstructionError("MissingRequiredSignature", "the payer must sign")
    if accounts.user != program().pdas.user(authority, sub_account_id):
        raise InstructionError("InvalidSeeds", "user is not the PDA of this authority and sub-account")
    stats = view.get(accounts.user_stats, "UserStats")
    if stats["authority"] != authority:
        raise fail("InvalidUserSubAccountId", "user stats belong to another wallet")
    if sub_account_id != stats["number_of_sub_accounts_created"]:
        raise fail("InvalidUserSubAccountId", f"the next sub-account id is {stats['number_of_sub_accounts_created']}")
    referrer = _referrer(view, accounts.user, accounts.user_stats)
    _create(view, accounts.payer, accounts.user, "User")
    user = images.user(authority=authority, sub_account_id=sub_account_id, name=args["name"], slot=view.ctx.clock.slot)
    view.adopt(accounts.user, "User", user)
    view.save(accounts.user)
    if referrer is not None and sub_account_id == 0:
        referrer_stats, referrer_key = referrer
        stats["referrer"] = referrer_stats["authority"]
        stats["referrer_status"] |= REFERRER_IS_REFERRED
        if referrer_key in view.writable:
            referrer_stats["referrer_status"] |= REFERRER_IS_REFERRER
            view.save(referrer_key)
    stats["number_of_sub_accounts"] += 1
    stats["number_of_sub_accounts_created"] += 1
    view.save(accounts.user_stats)
    view.state()["number_of_sub_accounts"] += 1
    view.save(program().pdas.state())
