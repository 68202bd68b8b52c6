"""SQLAlchemy 2 async Core storage: SQLite and PostgreSQL."""
