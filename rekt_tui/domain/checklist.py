"""The start-trading checklist: every line derived from chain facts, each with its next action.

Nothing here remembers progress: the checklist is recomputed from what the chain says
(wallet balance, venue account, UserStats referrer, collateral) plus the two choices only
the user can make (a strategy and the final confirmation). A crash or a second device
therefore never shows a line as done that the chain does not back.
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from rekt_tui.domain.money import LAMPORTS_PER_SOL, QUOTE_PRECISION, format_sol, format_usd
from rekt_tui.domain.strategy import StrategyPreset
from rekt_tui.domain.venue_labels import DRIFT, VenueLabels


class ItemState(str, Enum):
    DONE = "done"
    TODO = "todo"  # the user can do it now, through `action`
    BLOCKED = "blocked"  # waits on an earlier line, or cannot be fixed in this session


class ChecklistAction(str, Enum):
    FUND_WALLET = "fund_wallet"
    INITIALIZE_ACCOUNT = "initialize_account"
    VERIFY_REFERRER = "verify_referrer"
    DEPOSIT = "deposit"
    CHOOSE_STRATEGY = "choose_strategy"
    CONFIRM_START = "confirm_start"


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    label: str
    state: ItemState
    detail: str  # one sentence: what the chain shows, and what to do
    action: ChecklistAction | None  # set only when state is TODO


@dataclass(frozen=True)
class ChecklistFacts:
    """What the chain says, plus the user's choices; lamports and quote (1e6) as integers."""

    wallet_lamports: int
    drift_account_exists: bool
    recorded_referrer: str | None  # the UserStats `referrer`, None when unset or no account
    collateral_quote: int  # total collateral inside the venue
    strategy: StrategyPreset | None
    confirmed: bool
    referral_setup_needed: bool = False  # the venue pays the referrer only once the account adds what it lacks


@dataclass(frozen=True)
class ChecklistRules:
    """The configuration the checklist measures against."""

    expected_referrer: str | None  # None: this cluster has no referrer to verify
    gas_reserve_sol: Decimal
    min_trading_collateral_usd: Decimal
    account_rent_lamports: int  # rent for UserStats + User, paid once at initialization
    fee_lamports: int  # transaction fees the remaining setup needs
    labels: VenueLabels = DRIFT  # how the lines name the venue and its quote


@dataclass(frozen=True)
class Checklist:
    items: tuple[ChecklistItem, ...]

    @property
    def ready_to_trade(self) -> bool:
        return all(item.state is ItemState.DONE for item in self.items)


def build_checklist(facts: ChecklistFacts, rules: ChecklistRules) -> Checklist:
    funded = _wallet(facts, rules)
    account = _account(facts, funded.state is ItemState.DONE, rules.labels)
    referrer = _referrer(facts, rules)
    collateral = _collateral(facts, rules)
    strategy = _strategy(facts)
    before = (funded, account, referrer, collateral, strategy)
    confirm = _confirmation(facts, all(item.state is ItemState.DONE for item in before), rules.labels)
    return Checklist(before + (confirm,))


def _item(
    id_: str, label: str, done: bool, done_detail: str, todo_detail: str, action: ChecklistAction
) -> ChecklistItem:
    if done:
        return ChecklistItem(id_, label, ItemState.DONE, done_detail, None)
    return ChecklistItem(id_, label, ItemState.TODO, todo_detail, action)


def _blocked(id_: str, label: str, detail: str) -> ChecklistItem:
    return ChecklistItem(id_, label, ItemState.BLOCKED, detail, None)


def _wallet(facts: ChecklistFacts, rules: ChecklistRules) -> ChecklistItem:
    """The wallet must pay what setup still costs and keep the gas reserve after it."""
    reserve = int(rules.gas_reserve_sol * LAMPORTS_PER_SOL)
    rent = 0 if facts.drift_account_exists else rules.account_rent_lamports
    needed = reserve + rent + rules.fee_lamports
    held = format_sol(facts.wallet_lamports)
    return _item(
        "wallet_funded", "Session wallet funded", facts.wallet_lamports >= needed,
        f"The session wallet holds {held}, enough for setup and the {rules.gas_reserve_sol} SOL gas reserve.",
        f"The session wallet holds {held}; fund it to at least {format_sol(needed)} "
        f"(rent, fees and the {rules.gas_reserve_sol} SOL gas reserve).",
        ChecklistAction.FUND_WALLET,
    )


def _account(facts: ChecklistFacts, funded: bool, labels: VenueLabels) -> ChecklistItem:
    label = f"{labels.account} initialized"
    if not facts.drift_account_exists and not funded:
        rent = f"Fund the session wallet first; opening a {labels.account} costs rent."
        return _blocked("drift_account", label, rent)
    return _item(
        "drift_account", label, facts.drift_account_exists,
        f"The {labels.account} exists.",
        f"No {labels.account} yet; initialize it (UserStats and User, with the referrer).",
        ChecklistAction.INITIALIZE_ACCOUNT,
    )


def _referrer(facts: ChecklistFacts, rules: ChecklistRules) -> ChecklistItem:
    """Trading waits until UserStats records our referrer; a different one can never change."""
    id_, label = "referrer_verified", "Referrer verified"
    expected, recorded = rules.expected_referrer, facts.recorded_referrer
    if expected is None:
        return ChecklistItem(id_, label, ItemState.DONE, "No referrer is configured for this cluster.", None)
    if not facts.drift_account_exists:
        return _blocked(id_, label, f"The referrer is recorded when the {rules.labels.account} is initialized.")
    if recorded is not None and recorded != expected:
        return _blocked(
            id_, label,
            f"This {rules.labels.account} records referrer {recorded}, not {expected}, and a referrer cannot be "
            "changed; "
            "trading from this session is blocked, so start a new session wallet.",
        )
    if recorded == expected and facts.referral_setup_needed:
        return _item(
            id_, label, False, "",
            f"UserStats records referrer {expected}, but {rules.labels.name} pays referral only through a referral "
            "escrow this account lacks; open it (a little rent).",
            ChecklistAction.INITIALIZE_ACCOUNT,
        )
    return _item(
        id_, label, recorded == expected,
        f"UserStats records referrer {expected}.",
        f"UserStats records no referrer yet; verify it again once the account shows {expected}.",
        ChecklistAction.VERIFY_REFERRER,
    )


def _collateral(facts: ChecklistFacts, rules: ChecklistRules) -> ChecklistItem:
    id_, label = "collateral", "Collateral deposited"
    if not facts.drift_account_exists:
        return _blocked(id_, label, f"Deposits go into the {rules.labels.account}; initialize it first.")
    minimum = int(rules.min_trading_collateral_usd * QUOTE_PRECISION)
    held, venue, quote = format_usd(facts.collateral_quote), rules.labels.name, rules.labels.quote
    return _item(
        id_, label, facts.collateral_quote >= minimum,
        f"{venue} holds {held} of collateral, at least the {format_usd(minimum)} minimum.",
        f"{venue} holds {held}; deposit SOL or {quote} worth at least {format_usd(minimum - facts.collateral_quote)} "
        f"more to reach the {format_usd(minimum)} minimum.",
        ChecklistAction.DEPOSIT,
    )


def _strategy(facts: ChecklistFacts) -> ChecklistItem:
    id_, label, chosen = "strategy", "Strategy chosen", facts.strategy
    if chosen is None:
        return ChecklistItem(
            id_, label, ItemState.TODO, "No strategy chosen; pick aggressive, balanced or high_conviction.",
            ChecklistAction.CHOOSE_STRATEGY,
        )
    return ChecklistItem(id_, label, ItemState.DONE, f"Strategy {chosen.name}: {describe_strategy(chosen)}.", None)


def _confirmation(facts: ChecklistFacts, others_done: bool, labels: VenueLabels) -> ChecklistItem:
    id_, label = "confirmed", "Start trading confirmed"
    if facts.confirmed and others_done:
        return ChecklistItem(id_, label, ItemState.DONE, f"Trading on {labels.name} is confirmed.", None)
    if not others_done:
        return _blocked(id_, label, "Finish the lines above, then confirm to start trading.")
    return ChecklistItem(
        id_, label, ItemState.TODO, "Everything is in place; confirm to start trading.", ChecklistAction.CONFIRM_START
    )


def describe_strategy(strategy: StrategyPreset) -> str:
    return (
        f"max leverage {strategy.max_leverage.normalize():f}x, slippage {strategy.slippage_bps} bps, "
        f"{strategy.auction_duration_s} s auctions"
    )


def start_trading_title(labels: VenueLabels = DRIFT) -> str:
    """The title of the confirmation, the checklist's key and the CLI's `start`: "Start trading on Drift"."""
    return f"Start trading on {labels.name}"


def start_trading_summary(strategy: StrategyPreset, collateral_quote: int, labels: VenueLabels = DRIFT) -> str:
    """The text of the "Start trading on Drift" confirmation."""
    return (
        f"{start_trading_title(labels)} with the {strategy.name} strategy ({describe_strategy(strategy)}) "
        f"on {format_usd(collateral_quote)} of collateral?"
    )
