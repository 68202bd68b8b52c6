"""Alembic revisions, one per schema change, named NNNN_slug.py; never edit a merged one."""
