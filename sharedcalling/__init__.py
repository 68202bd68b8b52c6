"""Shared Calling: the product core (no Bot Framework imports)."""
