"""Whether the live program is the one an adapter was built for, in venue-neutral terms.

An adapter encodes instructions and decodes accounts for one program layout. A program
upgraded under the same id (or a profile pointing at another program) would take our
instructions with shifted fields: real money sent into the wrong layout. So before anything
is signed on a cluster, the adapter compares what it can see on chain (account sizes and
discriminators, the quote mint, the published interface) with what it expects, and any
difference refuses signing in one sentence while read-only views keep working.
"""

from dataclasses import dataclass

from rekt_tui.domain.errors import RektError

# What to tell a trader whose Drift program will not trade: the original program, paused after
# the 2026-04-01 exploit. Each completes "Transaction X… was refused before sending: " as one sentence.
_RELAUNCH = (
    "balances, positions, history and markets still read, and trading continues on Drift's relaunch "
    "(`rekt-tui --venue velocity`, or venue = \"velocity\" in the cluster profile)."
)
PROGRAM_PAUSED = (
    "the program answers InstructionFallbackNotFound (Anchor error 101), as Drift's original program has "
    f"answered every instruction since it was paused after the 2026-04-01 exploit, so it cannot trade; {_RELAUNCH}"
)
RELAUNCH_PAUSED = (
    "the program answers InstructionFallbackNotFound (Anchor error 101) to the instructions it should have, "
    "so it is paused and cannot trade now; balances, positions, history and markets still read."
)
EXCHANGE_PAUSED = (
    "ExchangePaused (6024): the program's State says the exchange is paused, as Drift's original program has "
    f"been since the 2026-04-01 exploit; {_RELAUNCH}"
)


@dataclass(frozen=True)
class Difference:
    """One thing on chain that is not what the adapter expects."""

    what: str  # "State", "User", "PerpMarket 1", "SpotMarket 0 mint", "the published IDL"
    expected: str
    found: str

    def phrase(self) -> str:
        return f"{self.what} is {self.found} where {self.expected} was expected"


@dataclass(frozen=True)
class Compatibility:
    """The outcome of one check of a cluster's program; `differences` empty: compatible."""

    venue: str
    cluster: str
    program_id: str
    differences: tuple[Difference, ...] = ()
    checked: tuple[str, ...] = ()  # what was compared, for the log and `--json`
    # The program answers an instruction it should have as one it has not (Anchor's 101):
    # paused by removing every instruction, as Drift's original program since 2026-04-01.
    paused: bool = False

    @property
    def compatible(self) -> bool:
        return not self.differences and not self.paused

    def refusal(self) -> str | None:
        """One sentence naming what differs or that the program is paused; None when neither."""
        if self.paused:
            why = PROGRAM_PAUSED if self.venue == "drift" else RELAUNCH_PAUSED
            return f"Trading on {self.cluster} is refused before anything is signed: {why}"
        if not self.differences:
            return None
        listed = "; ".join(difference.phrase() for difference in self.differences)
        return (
            f"Trading on {self.cluster} is refused: program {self.program_id} is not the {self.venue} program this "
            f"rekt-tui was built for ({listed}), so nothing will be signed; read-only commands still work, and "
            "a rekt-tui built for this program (or a corrected cluster profile) is needed to trade."
        )


class IncompatibleProgram(RektError):
    """Signing refused because the live program differs from what the adapter expects (exit 1)."""
