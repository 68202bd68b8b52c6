"""Adapters: tenant backends and storage."""
