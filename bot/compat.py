"""Workarounds for defects of the archived botbuilder-python 4.17, each version-guarded.

Call `apply_workarounds()` once before serving (create_app does). Each workaround names its
upstream issue; tests/edge/test_compat.py fails as soon as the upstream defect is gone, so the
workaround can then be deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

from botbuilder.integration.aiohttp import cloud_adapter
from msrest.universal_http.requests import ClientRetryPolicy

logger = logging.getLogger(__name__)

AFFECTED_SERIES = "4.17."
"""botbuilder 4.17 is the last release (the project is archived); newer code is unreviewed."""

_PLAIN_JSON = (dict, list, str, int, float, bool)

UPSTREAM_SERIALIZER: Callable[[Any], Any] = cloud_adapter.serializer_helper


def _serialize_once(body: Any) -> Any:
    """Pass already-serialized invoke bodies through; serialize msrest models as upstream does."""
    if body is None or isinstance(body, _PLAIN_JSON):
        return body
    return UPSTREAM_SERIALIZER(body)


def _is_affected() -> bool:
    return version("botbuilder-integration-aiohttp").startswith(AFFECTED_SERIES)


def fix_invoke_response_serialization() -> bool:
    """Invoke responses with a body (Action.Execute, search, task/fetch) answer HTTP 500.

    `ActivityHandler._create_invoke_response` already turns the body into a dict, and
    `CloudAdapter.process` serializes it again with msrest, which fails with "'dict' object has
    no attribute 'is_xml_model'". The same double serialization was reported for the older
    adapter in microsoft/botbuilder-python#1672 and for CloudAdapter in microsoft/teams-sdk#2547.
    The edge's own adapter (bot/adapter.py) writes invoke bodies with bot.wire and never takes
    this path; the fix stays for anything that serves through botbuilder's CloudAdapter.
    Returns whether the workaround is in place.
    """
    if not _is_affected():
        logger.warning("botbuilder is not 4.17; invoke serialization workaround not applied")
        return False
    cloud_adapter.serializer_helper = _serialize_once
    return True


def speed_up_retry_policy() -> bool:
    """msrest's ClientRetryPolicy tests 999 codes against a 500-item list on every connector
    client (about 3 ms of CPU, twice per turn); a frozenset gives the same answer at once."""
    codes = ClientRetryPolicy.safe_codes
    if isinstance(codes, frozenset):
        return True
    if not isinstance(codes, list):
        logger.warning("msrest ClientRetryPolicy changed; retry policy speed-up not applied")
        return False
    # msrest only tests membership, so a frozenset is a drop-in for its list.
    ClientRetryPolicy.safe_codes = frozenset(codes)  # type: ignore[assignment]
    return True


def apply_workarounds() -> None:
    """Install every workaround; safe to call more than once."""
    fix_invoke_response_serialization()
    speed_up_retry_policy()
