"""Typed identifiers: distinct names for the strings that identify tenant objects."""

from __future__ import annotations

from typing import NewType

TenantId = NewType("TenantId", str)
"""Entra tenant id (a GUID string)."""

UserId = NewType("UserId", str)
"""Entra object id of a user or resource account (a GUID string, lower case)."""

GroupId = NewType("GroupId", str)
"""Entra object id of a group."""

RequestId = NewType("RequestId", str)
"""Id of a Shared Calling change request."""
