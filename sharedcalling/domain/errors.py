"""The error tree of the product; every error a person may see derives from SharedCallingError."""

from __future__ import annotations


class SharedCallingError(Exception):
    """Root of every error raised on purpose by this product."""


class InvalidInput(SharedCallingError):
    """Input from a person (a phone number, a UPN, a list) is malformed or out of bounds."""


class NotPermitted(SharedCallingError):
    """The acting principal may not do this."""


class UnknownPerson(SharedCallingError):
    """No account in this tenant matches `query` (an object id, UPN or name)."""

    def __init__(self, query: str, message: str | None = None):
        super().__init__(message or f"No one in this tenant matches '{query}'.")
        self.query = query
