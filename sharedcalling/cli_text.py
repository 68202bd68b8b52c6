"""The caller-ID answer as plain text for the command line (numbers in international format)."""

from __future__ import annotations

from sharedcalling.domain.callerid import Callbacks, CallerIdAnswer, EmergencyKind, summary_text
from sharedcalling.services.callerid import Answered
from sharedcalling.services.exports.callerid_json import answer_text, plain
from sharedcalling.services.numbering import display_number


def render_answer_text(result: Answered) -> str:
    """Who, the outcome, the presented number, callbacks, emergency and codes, then the answer."""
    answer, subject = result.answer, result.subject
    outbound = answer.outbound_number
    lines = [
        f"{subject.display_name} ({subject.user_principal_name})",
        f"Outcome: {answer.outcome.value}" + ("" if answer.certain else " (not certain)"),
        f"Outbound number: {display_number(outbound) if outbound else 'none'}",
        f"Callbacks: {_callbacks(answer)}",
        f"Emergency: {_emergency(answer)}",
        f"Rule codes: {', '.join(answer.rule_codes) or 'none'}",
        "",
        answer_text(result),
        "",
        plain(
            summary_text(
                answer, subject.display_name, about_self=False, number_format=display_number
            )
        ),
    ]
    return "\n".join(lines) + "\n"


def _callbacks(answer: CallerIdAnswer) -> str:
    shared = answer.shared
    if answer.callbacks is Callbacks.RING_USER:
        return "ring the user"
    if answer.callbacks is Callbacks.AUTO_ATTENDANT and shared is not None:
        return f"auto attendant {shared.auto_attendant_name}"
    if answer.callbacks is Callbacks.NO_AUTO_ATTENDANT and shared is not None:
        behind = f" ({shared.other_app_name})" if shared.other_app_name else ""
        return f"no auto attendant{behind} (SC-R10)"
    return "none"


def _emergency(answer: CallerIdAnswer) -> str:
    emergency = answer.emergency
    numbers = ", ".join(display_number(n) for n in emergency.numbers)
    if emergency.kind is EmergencyKind.CALLBACK_POOL:
        return f"one of {numbers} (in this order; each held {emergency.hold_minutes} min)"
    if emergency.kind is EmergencyKind.NOT_SET_UP:
        codes = ", ".join(dict.fromkeys(r.code for r in emergency.reasons if r.code))
        return f"not set up correctly; an admin must fix it ({codes})"
    if emergency.kind in (EmergencyKind.MAIN_NUMBER, EmergencyKind.OWN_NUMBER):
        return numbers
    if emergency.kind is EmergencyKind.UNDETERMINED:
        return "undetermined until the setup is fixed"
    return "no callback number"
