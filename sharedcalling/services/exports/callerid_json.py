"""A caller-ID answer as versioned JSON, for the command line and scripts (docs/cli.md)."""

from __future__ import annotations

from sharedcalling.domain.callerid import CallerIdAnswer, Reason, one_line_text
from sharedcalling.domain.planning import JsonValue
from sharedcalling.services.callerid import Answered
from sharedcalling.services.numbering import display_number

CALLER_ID_FORMAT = "sharedcalling.callerid"
CALLER_ID_FORMAT_VERSION = 1


def plain(text: str) -> str:
    """Answer text without the Markdown bold Teams renders."""
    return text.replace("**", "")


def answer_text(result: Answered) -> str:
    """The one-line answer in the third person, numbers in international format."""
    line = one_line_text(
        result.answer,
        result.subject.display_name,
        about_self=result.about_self,
        number_format=display_number,
    )
    return plain(line)


def caller_id_to_json(result: Answered) -> dict[str, JsonValue]:
    """A JSON-ready dict: numbers in E.164, emergency numbers in the policy's order."""
    answer = result.answer
    subject = result.subject
    return {
        "format": CALLER_ID_FORMAT,
        "version": CALLER_ID_FORMAT_VERSION,
        "user": {
            "id": subject.id,
            "user_principal_name": subject.user_principal_name,
            "display_name": subject.display_name,
        },
        "outcome": answer.outcome.value,
        "certain": answer.certain,
        "outbound_number": answer.outbound_number,
        "personal_number": answer.personal_number,
        "callbacks": answer.callbacks.value,
        "emergency": {
            "kind": answer.emergency.kind.value,
            "numbers": list(answer.emergency.numbers),
            "hold_minutes": answer.emergency.hold_minutes,
            "rule_codes": _codes(answer.emergency.reasons),
        },
        "shared": _shared(answer),
        "caller_id_policy": _clid(answer),
        "rule_codes": list(answer.rule_codes),
        "reasons": [_reason(r) for r in (*answer.unknowns, *answer.reasons)],
        "text": answer_text(result),
    }


def _codes(reasons: tuple[Reason, ...]) -> list[JsonValue]:
    return list(dict.fromkeys(r.code for r in reasons if r.code))


def _reason(reason: Reason) -> JsonValue:
    return {"text": reason.text, "code": reason.code}


def _shared(answer: CallerIdAnswer) -> JsonValue:
    shared = answer.shared
    if shared is None:
        return None
    return {
        "policy": shared.policy_name,
        "assignment": shared.assignment,
        "resource_account": {
            "id": shared.resource_account_id,
            "display_name": shared.resource_account_name,
            "number": shared.resource_account_number,
        },
        "auto_attendant": shared.auto_attendant_name,
        "other_app": shared.other_app_name,
        "extension": shared.extension,
    }


def _clid(answer: CallerIdAnswer) -> JsonValue:
    clid = answer.clid
    if clid is None:
        return None
    return {
        "name": clid.policy_name,
        "substitute": clid.substitute.value,
        "effect": clid.effect,
        "presented_number": clid.presented_number,
    }
