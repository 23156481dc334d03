"""The relaunched Drift program ("Velocity"): the second venue adapter.

Its bytes go through `codec/`, our own IDL-driven codec over the pinned interface file, because
the only Python IDL library that reads Anchor 1.0 files shares module names with the one driftpy
needs.
"""
