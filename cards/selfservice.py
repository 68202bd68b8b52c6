"""The self-service card: the plan for the asker alone, the reason, and "Send request"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cards import actions as ids
from cards.elements import Element, action_set, card, container, execute, fact_set, text_block
from cards.request_plan import plain
from cards.text import phone
from sharedcalling.domain.planning.changes import (
    Change,
    CreateEmergencyCallRoutingPolicy,
    CreateVoiceRoutingPolicy,
    GrantPolicy,
)
from sharedcalling.domain.rules import ChangeKind
from sharedcalling.services.selfservice.outcomes import Offered

MAX_REASON = 500
MAX_LINES = 12

_GRANTS = {
    ChangeKind.USER_GRANT_VRP: "Voice routing policy",
    ChangeKind.USER_GRANT_ECRP: "Emergency call routing policy",
    ChangeKind.SCP_GRANT_USER: "Shared Calling policy",
}


@dataclass(frozen=True, slots=True)
class SelfServiceView:
    fingerprint: str
    number: str
    """The shared number the asker would call out as, for the card (never wraps)."""
    facts: tuple[tuple[str, str], ...]
    changes: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    notice: str = ""


def self_service_view(offer: Offered) -> SelfServiceView:
    number = phone(offer.account_number) if offer.account_number else "no number"
    facts = (
        ("Shared number", number),
        ("Resource account", plain(offer.account_name)),
        ("Shared Calling policy", plain(offer.policy_name)),
        ("Who decides", "an approver or a Shared Calling admin; never you"),
    )
    changes = tuple(_change_line(c) for c in offer.preview.plan.changes[:MAX_LINES])
    warnings = tuple(f"{w.code}: {plain(w.message)}" for w in offer.warnings[:MAX_LINES])
    return SelfServiceView(offer.fingerprint, number, facts, changes, warnings, offer.notice)


def _change_line(change: Change) -> str:
    if change.kind is ChangeKind.ENABLE_VOICE:
        return "Turn on Enterprise Voice for you"
    if isinstance(change, GrantPolicy) and change.kind in _GRANTS:
        was = f" (was {plain(change.before)})" if change.before else ""
        return f"{_GRANTS[change.kind]} {plain(change.policy_name or 'Global')}{was}"
    if isinstance(change, CreateVoiceRoutingPolicy | CreateEmergencyCallRoutingPolicy):
        return f"Create policy {plain(change.policy.name)}"
    return plain(f"{change.kind.value} for {change.subject.display}")


def self_service_card(view: SelfServiceView) -> dict[str, Any]:
    """Everything is shown before anything is asked; the reason is required and bounded."""
    body: list[Element] = [
        text_block("Request Shared Calling for yourself", weight="Bolder", size="Medium"),
    ]
    if view.notice:
        body.append(container(text_block(plain(view.notice)), style="warning"))
    body += [
        text_block(f"With Shared Calling you call out as {view.number}."),
        fact_set(view.facts),
        text_block("What would change", weight="Bolder"),
        text_block("\n".join(f"- {line}" for line in view.changes) or "Nothing."),
    ]
    if view.warnings:
        lines = "\n".join(f"- {line}" for line in view.warnings)
        body += [text_block("Worth knowing", weight="Bolder"), text_block(lines)]
    reason = {
        "type": "Input.Text",
        "id": ids.SELF_SERVICE_REASON,
        "label": "Why do you need to call out? (approvers read this)",
        "isRequired": True,
        "errorMessage": "Say why you need a phone number.",
        "isMultiline": True,
        "maxLength": MAX_REASON,
    }
    send = execute("Send request", ids.SELF_SERVICE_SUBMIT, **{ids.FINGERPRINT: view.fingerprint})
    send["style"] = "positive"
    body.append(container(reason, action_set(send), separator=True))
    return card(*body)


def self_service_start_button() -> Element:
    """The caller-ID card's button for a person without a working outbound number."""
    return execute("Request Shared Calling", ids.SELF_SERVICE_START)
