"""Pure domain: the tenant model and every Shared Calling decision; stdlib only."""
