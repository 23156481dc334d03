"""Bytes of the relaunched program, driven by its pinned Anchor 1.0 interface file.

The adapter's own code uses this package; nothing outside `rekt_tui.velocity` may import it
(an import-linter contract), just as only `rekt_tui.drift` imports driftpy.
"""
