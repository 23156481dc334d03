"""Creating a trader's accounts: UserStats once per wallet, then a User per sub-account.

The program pays for nothing: it asks the System program (by CPI, signing for its own
PDA) to create each account from the payer's lamports, then writes its first state. A
referrer, passed as its User and UserStats among the remaining accounts, is recorded
on the new UserStats when the wallet opens its first sub-account, and both sides get
their referrer-status flags.
"""

import struct
from typing import Any

from driftpy.addresses import get_user_account_public_key, get_user_stats_account_public_key
from solders.pubkey import Pubkey

from rekt_localnet import drift_accounts
from rekt_localnet.account import rent_exempt_minimum
from rekt_localnet.encoding import ACCOUNT_SIZES, decode_account
from rekt_localnet.keys import DRIFT_PROGRAM_ID, SYSTEM_PROGRAM_ID
from rekt_localnet.runtime.program import AccountRef, InstructionError

from .constants import REFERRER_IS_REFERRED, REFERRER_IS_REFERRER
from .errors import fail
from .view import DriftView

_CREATE_ACCOUNT = struct.Struct("<IQQ32s")


def _create(view: DriftView, payer: Pubkey, address: Pubkey, kind: str) -> None:
    size = ACCOUNT_SIZES[kind]
    data = _CREATE_ACCOUNT.pack(0, rent_exempt_minimum(size), size, bytes(DRIFT_PROGRAM_ID))
    refs = [AccountRef(payer, True, True), AccountRef(address, True, True)]
    view.ctx.invoke(SYSTEM_PROGRAM_ID, refs, data, signers=[address])


def _require_signer(view: DriftView, key: Pubkey) -> None:
    if not any(ref.key == key and ref.is_signer for ref in view.ctx.accounts):
        raise InstructionError("MissingRequiredSignature", f"{key} must sign")


def initialize_user_stats(view: DriftView, accounts: Any, args: Any) -> None:
    authority, payer = accounts.authority, accounts.payer
    _require_signer(view, authority)
    if accounts.user_stats != get_user_stats_account_public_key(DRIFT_PROGRAM_ID, authority):
        raise InstructionError("InvalidSeeds", "user stats is not the authority's PDA")
    _create(view, payer, accounts.user_stats, "UserStats")
    now = view.ctx.clock.unix_timestamp
    stats = decode_account(drift_accounts.user_stats(authority=authority, sub_accounts=0, now=now))
    view.adopt(accounts.user_stats, "UserStats", stats)
    view.save(accounts.user_stats)
    state = view.state()
    state.number_of_authorities += 1
    view.save(view.keys("State")[0])


def _referrer(view: DriftView, new_user: Pubkey, own_stats: Pubkey) -> tuple[Any, Pubkey] | None:
    """The referrer's User and UserStats from the remaining accounts, if any were passed."""
    users = [key for key in view.users() if key != new_user]
    stats = [key for key in view.keys("UserStats") if key != own_stats]
    if not users and not stats:
        return None
    if len(users) != 1 or len(stats) != 1:
        raise fail("CouldNotDeserializeReferrer", "expected the referrer's User and UserStats")
    referrer_user = view.get(users[0], "User")
    referrer_stats = view.get(stats[0], "UserStats")
    if referrer_user.authority != referrer_stats.authority:
        raise fail("DidNotReceiveExpectedReferrer", "the referrer's User and UserStats belong to different wallets")
    return referrer_stats, stats[0]


def initialize_user(view: DriftView, accounts: Any, args: Any) -> None:
    authority, payer = accounts.authority, accounts.payer
    _require_signer(view, authority)
    sub_account_id = args.sub_account_id
    if accounts.user != get_user_account_public_key(DRIFT_PROGRAM_ID, authority, sub_account_id):
        raise InstructionError("InvalidSeeds", "user is not the PDA of this authority and sub-account")
    stats = view.get(accounts.user_stats, "UserStats")
    if stats.authority != authority:
        raise fail("InvalidUserSubAccountId", "user stats belong to another wallet")
    if sub_account_id != stats.number_of_sub_accounts_created:
        raise fail("InvalidUserSubAccountId", f"the next sub-account id is {stats.number_of_sub_accounts_created}")
    referrer = _referrer(view, accounts.user, accounts.user_stats)
    _create(view, payer, accounts.user, "User")
    name = bytes(args.name).decode(errors="replace").rstrip(" \x00")
    user = decode_account(
        drift_accounts.user(authority=authority, sub_account_id=sub_account_id, name=name, slot=view.ctx.clock.slot)
    )
    user.name = list(args.name)
    view.adopt(accounts.user, "User", user)
    view.save(accounts.user)
    if referrer is not None and sub_account_id == 0:
        referrer_stats, referrer_stats_key = referrer
        stats.referrer = referrer_stats.authority
        stats.referrer_status |= REFERRER_IS_REFERRED
        referrer_stats.referrer_status |= REFERRER_IS_REFERRER
        view.save(referrer_stats_key, required=False)
    stats.number_of_sub_accounts += 1
    stats.number_of_sub_accounts_created += 1
    view.save(accounts.user_stats)
    state = view.state()
    state.number_of_sub_accounts += 1
    view.save(view.keys("State")[0])
