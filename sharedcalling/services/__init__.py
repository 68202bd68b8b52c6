"""Use cases and the ports they talk through."""
