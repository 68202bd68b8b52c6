"""Audit entries for attempts refused before any request could be read (unknown request,
forged verb, foreign tenant): the refusal is the one trace they leave."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sharedcalling import correlation
from sharedcalling.domain.audit import AuditFacts, AuditOutcome
from sharedcalling.domain.requests import Actor

if TYPE_CHECKING:
    from sharedcalling.services import Services

logger = logging.getLogger(__name__)

MAX_AUDITED_TEXT = 80
"""Characters of an unknown verb or id kept in the audit log: enough to recognise, bounded."""


async def audit_refusal(
    services: Services,
    actor: Actor,
    *,
    event: str,
    code: str,
    message: str,
    request_id: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Append one REFUSED entry to the tenant's chain, in a transaction of its own."""
    current = correlation.current()
    facts = AuditFacts(
        at=services.clock.now(),
        actor_id=actor.id,
        actor_name=actor.name,
        event=event[:MAX_AUDITED_TEXT],
        outcome=AuditOutcome.REFUSED,
        request_id=request_id[:32] if request_id else None,
        reason=message,
        details={"refusal": code, **(details or {})},
        correlation_id=None if current == "-" else current,
    )
    async with services.uow() as work:
        await work.audit.append(services.tenant_id, facts)
        await work.commit()
    logger.info("Refused %s by %s: %s", facts.event, actor.id, code)


def bounded(value: object) -> str:
    """An untrusted value as audit text: a string, cut to MAX_AUDITED_TEXT."""
    text = value if isinstance(value, str) else repr(value)
    return text[:MAX_AUDITED_TEXT]
