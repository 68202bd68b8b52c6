"""The set-up dialog through /api/messages: the edge tests' real app, fake Bot Connector and
SQLite, shared rather than copied."""

from __future__ import annotations

from tests.edge.conftest import connector, database_url, teams

__all__ = ["connector", "database_url", "teams"]
