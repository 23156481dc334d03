"""The relaunched Drift program ("Velocity"): the second venue adapter.

Built on our own IDL-driven codec over the pinned interface file (`pinned/`), because the only
Python IDL library that reads Anchor 1.0 files shares module names with the one driftpy needs.
"""
