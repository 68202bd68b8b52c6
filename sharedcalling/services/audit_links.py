"""Audit export through chat: an expiring, single-use download link for admins and approvers.

Teams bots cannot attach arbitrary files to a personal chat without the file-consent flow, so
the bot answers with a link to its own endpoint instead. The token (256 random bits) is stored
only as its SHA-256 hash, expires after EXPORT_LINK_TTL and works once.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sharedcalling.domain.access import Principal
from sharedcalling.domain.requests import Actor
from sharedcalling.services.approvals.refusals import audit_refusal
from sharedcalling.services.audit import (
    audit_entries,
    audit_to_csv,
    audit_to_json,
    verify_audit_chain,
)
from sharedcalling.services.ports import StateConflict
from sharedcalling.services.requests import actor_of

if TYPE_CHECKING:
    from sharedcalling.services import Services

logger = logging.getLogger(__name__)

EXPORT_LINK_TTL = timedelta(minutes=10)
FORMATS = ("csv", "json")
ONLY_ADMINS_AND_APPROVERS = "Only admins and approvers can export the audit trail."
_KEY_PREFIX = "sharedcalling/audit-export/"


@dataclass(frozen=True, slots=True)
class ExportFile:
    filename: str
    content_type: str
    body: str


def _key(token: str) -> str:
    return _KEY_PREFIX + hashlib.sha256(token.encode()).hexdigest()


async def create_export_links(
    services: Services, principal: Principal, formats: tuple[str, ...]
) -> dict[str, str] | str:
    """{format: token} for an admin or approver; the refusal text (audited) for anyone else."""
    actor = actor_of(principal)
    if not (principal.is_admin or principal.is_approver):
        await audit_refusal(
            services, actor, event="audit_export", code="not_admin_or_approver",
            message=ONLY_ADMINS_AND_APPROVERS,
        )  # fmt: skip
        return ONLY_ADMINS_AND_APPROVERS
    expires = services.clock.now() + EXPORT_LINK_TTL
    tokens = {}
    for fmt in formats:
        token = secrets.token_urlsafe(32)
        document = {
            "tenant_id": services.tenant_id, "actor_id": actor.id, "actor_name": actor.name,
            "format": fmt, "expires_at": expires.isoformat(), "used": False,
        }  # fmt: skip
        await services.bot_state.write(_key(token), document, expected_etag="")
        tokens[fmt] = token
    logger.info("Audit export links made for %s", actor.id)
    return tokens


async def redeem_export_link(services: Services, token: str) -> ExportFile | None:
    """The export behind a token, once; None when unknown, used or expired."""
    if not token or len(token) > 100:
        return None
    key = _key(token)
    found = (await services.bot_state.read([key])).get(key)
    if found is None or found.data.get("used"):
        return None
    try:
        await services.bot_state.write(key, {**found.data, "used": True}, expected_etag=found.etag)
    except StateConflict:
        return None  # someone redeemed it a moment ago
    if services.clock.now() >= datetime.fromisoformat(str(found.data["expires_at"])):
        await services.bot_state.delete([key])
        return None
    fmt = str(found.data["format"])
    entries = await audit_entries(services.tenant_id, uow=services.uow)
    report = await verify_audit_chain(services.tenant_id, uow=services.uow)
    await services.bot_state.delete([key])
    actor = Actor(services.tenant_id, found.data["actor_id"], str(found.data["actor_name"]))
    logger.info("Audit export (%s, %d entries) downloaded for %s", fmt, len(entries), actor.id)
    if fmt == "json":
        return ExportFile("audit.json", "application/json", audit_to_json(entries, report))
    return ExportFile("audit.csv", "text/csv", audit_to_csv(entries))
