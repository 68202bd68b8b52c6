"""Pure functions from view-models to Adaptive Card dicts (schema 1.5)."""
