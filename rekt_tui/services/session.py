"""The start-trading checklist of one session wallet, and every action on it.

Each line is recomputed from the chain (wallet lamports, the venue account, the
referrer its UserStats records, collateral) plus the two choices only the user makes
(strategy, confirmation), which the registry keeps. Every action lands through our
sender with a kind and an intent, then records a balance snapshot, so the registry's
last known figures follow the chain.
"""

import asyncio
import time
from decimal import Decimal
from uuid import uuid4

from rekt_tui.domain.checklist import (
    Checklist,
    ChecklistFacts,
    ChecklistRules,
    ItemState,
    build_checklist,
    start_trading_summary,
)
from rekt_tui.domain.errors import RektError, UsageError
from rekt_tui.domain.money import LAMPORTS_PER_SOL, SOL_DECIMALS, USDC_DECIMALS, format_sol, parse_amount
from rekt_tui.domain.session import SessionRecord
from rekt_tui.domain.strategy import StrategyPreset
from rekt_tui.domain.venue_labels import VenueLabels
from rekt_tui.drift.rpc import RpcError
from rekt_tui.drift.sender import Landed
from rekt_tui.services.landing import Lander, land, link_of, now, record_balances, record_balances_after_landing
from rekt_tui.services.link import SessionLink
from rekt_tui.services.models import Funding


# Transactions the rest of the setup pays fees for: initialize, then deposit.
SETUP_TRANSACTIONS = 2
AIRDROP_WAIT_S = 10.0
# The most a localnet airdrop hands out at once, so a typo cannot drain the faucet.
MAX_AIRDROP_SOL, MAX_AIRDROP_QUOTE = Decimal(1_000), Decimal(1_000_000)


def parse_asset(text: str, labels: VenueLabels) -> str:
    """"SOL" or the venue's quote symbol ("USDC" on Drift, "USDT" on Velocity); anything else is refused."""
    asset = text.strip().upper()
    if asset not in labels.assets:
        raise UsageError(f"Unknown asset {text.strip()!r}; use SOL or {labels.quote}.")
    return asset


def check_faucet(cluster: str) -> None:
    """Only the localnet has a faucet; elsewhere the wallet is funded by a transfer."""
    if cluster != "localnet":
        raise UsageError(f"Airdrops exist only on localnet; fund the session wallet by sending it SOL on {cluster}.")


class SessionService:
    """Setup of one session, over its live link."""

    def __init__(self, link: SessionLink | Lander) -> None:
        self._link = link_of(link)
        self._venue = self._link.venue
        self._settings = self._link.settings
        self._registry = self._link.registry

    @property
    def session(self) -> SessionRecord:
        return self._link.session

    @property
    def labels(self) -> VenueLabels:
        """How this session's venue and quote are named to the user."""
        return self._settings.labels

    # Reading

    def strategy(self) -> StrategyPreset | None:
        """The chosen preset, as configured now; None until one is chosen."""
        name = self.session.strategy
        return self._settings.preset(name) if name in self._settings.strategies else None

    async def checklist(self) -> Checklist:
        venue = self._venue
        snapshot = venue.snapshot()
        facts = ChecklistFacts(
            wallet_lamports=await venue.wallet_lamports(),
            drift_account_exists=snapshot is not None,
            recorded_referrer=await venue.referrer() if snapshot is not None else None,
            referral_setup_needed=venue.referral_setup() is not None,
            collateral_quote=snapshot.total_collateral if snapshot is not None else 0,
            strategy=self.strategy(),
            confirmed=self.session.trading_started_at is not None,
        )
        rules = ChecklistRules(
            expected_referrer=self._settings.effective_referrer,
            gas_reserve_sol=self._settings.gas_reserve_sol,
            min_trading_collateral_usd=self._settings.min_trading_collateral_usd,
            account_rent_lamports=await venue.account_rent_lamports(),
            fee_lamports=SETUP_TRANSACTIONS * venue.fee,
            labels=self._settings.labels,
        )
        return build_checklist(facts, rules)

    async def funding(self) -> Funding:
        wallet_line = (await self.checklist()).items[0]
        lamports = await self._venue.wallet_lamports()
        return Funding(lamports, wallet_line.state is ItemState.DONE, wallet_line.detail)

    # Actions

    async def airdrop(self, amount_text: str, asset: str) -> str:
        """Fund the wallet from the localnet faucet; a sentence saying what arrived."""
        asset = parse_asset(asset, self._settings.labels)
        check_faucet(self._settings.cluster)
        decimals = SOL_DECIMALS if asset == "SOL" else USDC_DECIMALS
        maximum = MAX_AIRDROP_SOL if asset == "SOL" else MAX_AIRDROP_QUOTE
        amount = parse_amount(amount_text, decimals, what="Amount", maximum=maximum)
        method = "requestAirdrop" if asset == "SOL" else "rekt_mintUsdc"
        before = await self._venue.wallet_lamports()
        try:
            await self._link.rpc.call(method, [self.session.pubkey, amount])
        except RpcError as error:
            raise RektError(f"The localnet faucet refused the airdrop: {error.message}.") from None
        if asset == "SOL":
            await self._wait_for_lamports(before + amount)
        await record_balances(self._link)
        return f"Airdropped {amount_text.strip()} {asset} to {self.session.pubkey}."

    async def _wait_for_lamports(self, target: int) -> None:
        """A SOL airdrop lands with the next slot; wait for it so the next step sees it."""
        deadline = time.monotonic() + AIRDROP_WAIT_S
        while await self._venue.wallet_lamports() < target:
            if time.monotonic() > deadline:
                raise RektError("The airdrop did not land within 10 s; check `rekt-tui localnet status`.")
            await asyncio.sleep(0.1)

    async def initialize(self) -> SessionRecord:
        """Open the venue account with the configured referrer, then verify the referrer.

        An account that already exists (a crash after it landed, another device, an older
        version) is not opened again: it gets what the venue still needs to pay the referrer
        (the relaunch's referral escrow), then its referrer is verified and recorded.
        """
        referrer = self._settings.effective_referrer
        if self._venue.snapshot() is None:
            await self._require_funded()
            intent: dict[str, object] = {"action": "initialize", "referrer": referrer}
            await land(self._link, "initialize", intent, self._venue.initialize(referrer))
            await self._venue.refresh_account()
        elif (
            referrer is not None
            and (setup := self._venue.referral_setup()) is not None
            and await self._venue.referrer() == referrer  # an escrow copies the referrer UserStats records
        ):
            intent = {"action": "referral_escrow", "referrer": referrer}
            await land(self._link, "initialize", intent, setup)
            await self._venue.refresh_account()
        return await self.verify_referrer()

    async def _require_funded(self) -> None:
        funding = await self.funding()
        if not funding.funded:
            raise RektError(funding.detail)

    async def verify_referrer(self) -> SessionRecord:
        """Record what UserStats says; trading stays blocked until it names our referrer."""
        venue = self._venue
        if venue.snapshot() is None:
            raise RektError(f"This session has no {self._settings.labels.account} yet; run `rekt-tui init` first.")
        expected = self._settings.effective_referrer
        recorded = await venue.referrer()
        escrow_missing = expected is not None and venue.referral_setup() is not None
        verified = expected is None or (recorded == expected and not escrow_missing)
        await self._registry.update_session(
            self.session.pubkey, drift_user=venue.account_address, referrer=recorded,
            referrer_verified_at=now() if verified else None,
        )  # fmt: skip
        await venue.load_fee_tier()
        await record_balances_after_landing(self._link)
        await self._link.refresh_session()
        if recorded == expected and escrow_missing:
            raise RektError(
                f"{self._settings.labels.name} pays referral only through a referral escrow this account lacks; "
                "run `rekt-tui init` to open it."
            )
        if not verified:
            raise RektError(
                f"The {self._settings.labels.account} records referrer {recorded or 'none'}, not {expected}; "
                "trading from this "
                "session stays blocked, so start a new session wallet."
            )
        return self.session

    async def deposit(self, amount_text: str, asset: str) -> Landed:
        """Deposit SOL (always leaving `gas_reserve_sol` in the wallet) or the quote (USDC, USDT)."""
        asset = parse_asset(asset, self._settings.labels)
        if self._venue.snapshot() is None:
            account = self._settings.labels.account
            raise RektError(f"This session has no {account} loaded; initialize it (rekt-tui init) first.")
        amount = parse_amount(amount_text, SOL_DECIMALS if asset == "SOL" else USDC_DECIMALS, what="Amount")
        await self._check_reserve(amount if asset == "SOL" else 0)
        transaction = self._venue.deposit(asset, amount)
        # "request" keeps two equal deposits two transactions (the sender matches intents)
        intent = {"action": "deposit", "asset": asset, "amount": amount, "request": uuid4().hex}
        landed = await land(self._link, "deposit", intent, transaction)
        await record_balances_after_landing(self._link)
        return landed

    async def deposit_room(self, asset: str) -> int:
        """The most of `asset` the wallet can deposit now (native precision): all its quote,
        or its SOL less the gas reserve, this fee and the temporary wrapped-SOL account."""
        if parse_asset(asset, self._settings.labels) != "SOL":
            return await self._venue.wallet_usdc()
        held = await self._venue.wallet_lamports()
        return max(held - self._venue.fee - self._sol_kept(), 0)

    def _sol_kept(self) -> int:
        reserve = int(self._settings.gas_reserve_sol * LAMPORTS_PER_SOL)
        return max(reserve, self._venue.deposit_reserve_lamports("SOL"))

    async def _check_reserve(self, lamports: int) -> None:
        """The wallet must keep the gas reserve after the deposit and its fee, and hold
        the temporary wrapped-SOL account while a SOL deposit runs."""
        held = await self._venue.wallet_lamports()
        reserve = int(self._settings.gas_reserve_sol * LAMPORTS_PER_SOL)
        fee = self._venue.fee
        kept = self._sol_kept() if lamports else reserve
        largest = held - fee - kept
        if lamports > largest or largest < 0:
            most = f"deposit at most {format_sol(largest, 9)}" if lamports and largest > 0 else "fund the wallet first"
            raise UsageError(
                f"The session wallet holds {format_sol(held)} and must keep {format_sol(kept)} for gas and "
                f"{format_sol(fee, 6)} for this fee; {most}."
            )

    async def choose_strategy(self, name: str) -> SessionRecord:
        """Choose a preset; a change after confirming start asks for confirmation again,
        since the confirmation named the old strategy's leverage."""
        wanted = name.strip().lower()
        if wanted not in self._settings.strategies:
            known = ", ".join(sorted(self._settings.strategies))
            raise UsageError(f"Unknown strategy {name.strip()!r}; choose one of {known}.")
        if wanted != self.session.strategy:
            await self._registry.update_session(self.session.pubkey, strategy=wanted, trading_started_at=None)
        else:
            await self._registry.update_session(self.session.pubkey, strategy=wanted)
        await self._link.refresh_session()
        return self.session

    async def start_summary(self) -> str:
        """The "Start trading on <venue>" question, once every other line holds."""
        checklist = await self.checklist()
        open_lines = [i for i in checklist.items[:-1] if i.state is not ItemState.DONE]
        if open_lines:
            raise RektError(f"Not ready to start: {open_lines[0].label.lower()}: {open_lines[0].detail}")
        snapshot, strategy = self._venue.snapshot(), self.strategy()
        if snapshot is None or strategy is None:
            raise RektError(f"Not ready to start: the {self._settings.labels.account} and a strategy come first.")
        return start_trading_summary(strategy, snapshot.total_collateral, self._settings.labels)

    async def start_trading(self) -> SessionRecord:
        """Record the confirmation; refused until every other line holds."""
        await self.start_summary()
        await self._registry.update_session(self.session.pubkey, trading_started_at=now())
        await self._link.refresh_session()
        return self.session
