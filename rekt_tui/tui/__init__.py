"""The Textual cockpit. It displays what the services report and turns keys into intents.

Nothing in this package talks to the chain, the registry or the keystore directly: the
app calls `Services` from workers and pushes the results down to widgets that only display.
"""

import os

# Textual paints at most TEXTUAL_FPS frames a second, on a grid of that period, and after an
# idle spell the frame but one waits for the second grid step: at its default of 60, a HUD
# update landing just after a panel's frame waited up to 33 ms. Frames come only when something
# changed (the repaint pacer decides how often), so a finer grid costs no frames, only waiting:
# at 240 that wait is at most 8 ms (docs/PERFORMANCE.md). Read when Textual is first imported,
# which is after this package; a value the user set wins.
FRAME_RATE_CAP = "240"
os.environ.setdefault("TEXTUAL_FPS", FRAME_RATE_CAP)
