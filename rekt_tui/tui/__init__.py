"""The Textual cockpit. It displays what the services report and turns keys into intents.

Nothing in this package talks to the chain, the registry or the keystore directly: the
app calls `Services` from workers and pushes the results down to widgets that only display.
"""
