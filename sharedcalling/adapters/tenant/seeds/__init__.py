"""Seed fixtures of the emulated tenant (JSON documents in the stored-object format)."""
