"""Command palette provider: every action that applies on the current screen, by description.

It reads the same `binding_entries` as the help screen, so a new binding shows up in the
palette without anyone remembering to register it.
"""

from collections.abc import Iterable
from functools import partial

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Provider

from rekt_tui.tui.bindings import BindingEntry, binding_entries

# Opening the palette from inside the palette does nothing useful.
_NOT_LISTED = frozenset({"command_palette", "app.command_palette"})
_REPLACED_SYSTEM_COMMANDS = frozenset({"Quit", "Keys"})  # ours quit through the quit guard; our help lists the keys


def own_system_commands(commands: Iterable[SystemCommand]) -> Iterable[SystemCommand]:
    """Textual's system commands less those the cockpit replaces with its own."""
    return (command for command in commands if command.title not in _REPLACED_SYSTEM_COMMANDS)


class ActionCommands(Provider):
    async def discover(self) -> Hits:
        for entry in self._entries():
            yield DiscoveryHit(entry.description, self._runner(entry), text=entry.description, help=_key_help(entry))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries():
            score = matcher.match(entry.description)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(entry.description),
                    self._runner(entry),
                    text=entry.description,
                    help=_key_help(entry),
                )

    def _entries(self) -> list[BindingEntry]:
        return [entry for entry in binding_entries(self.screen) if entry.action not in _NOT_LISTED]

    def _runner(self, entry: BindingEntry) -> partial:
        # Run in the binding's own namespace so screen actions reach the screen.
        return partial(self.app.run_action, entry.action, entry.node)


def _key_help(entry: BindingEntry) -> str:
    return f"key: {entry.keys}"
