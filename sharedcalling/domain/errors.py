"""The error tree of the product; every error a person may see derives from SharedCallingError."""

from __future__ import annotations


class SharedCallingError(Exception):
    """Root of every error raised on purpose by this product."""


class InvalidInput(SharedCallingError):
    """Input from a person (a phone number, a UPN, a list) is malformed or out of bounds."""


class NotPermitted(SharedCallingError):
    """The acting principal may not do this."""
