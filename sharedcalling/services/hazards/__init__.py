"""Use cases of the hazard watch: the leased check, announcements, plan a fix, queries."""
