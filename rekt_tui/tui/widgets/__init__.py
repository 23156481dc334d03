"""Display-only widgets: they receive data through reactive attributes and never fetch it."""
