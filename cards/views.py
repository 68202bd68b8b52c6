"""Display-ready views for the caller-ID cards, and pure mappers from the use-case results."""

from __future__ import annotations

from dataclasses import dataclass

from cards.text import phone
from sharedcalling.domain.callerid import (
    Callbacks,
    CallerIdAnswer,
    EmergencyKind,
    Outcome,
    one_line_text,
    summary_text,
)
from sharedcalling.domain.tenant import AppConfigurationType
from sharedcalling.services.callerid import Ambiguous, Answered
from sharedcalling.services.numbering import display_number

OUTCOME_LABELS = {
    Outcome.NO_PSTN: "Not set up for outside calls",
    Outcome.PERSONAL_DR: "Own number (Direct Routing)",
    Outcome.PERSONAL: "Own number",
    Outcome.SHARED: "Shared Calling",
    Outcome.SHARED_EXT: "Shared Calling with an extension",
    Outcome.SHARED_BROKEN: "Shared Calling, not working",
    Outcome.INCONSISTENT: "Inconsistent setup",
    Outcome.NO_NUMBER: "No phone number",
}


@dataclass(frozen=True, slots=True)
class CallerIdView:
    subject_id: str
    title: str
    headline: str
    """The presented number, or what happens instead (`No outside calls`)."""
    summary: str
    one_line: str
    """The answer in one sentence: the message text sent beside the card."""
    facts: tuple[tuple[str, str], ...]
    caveats: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    """`SC-xxx: reason` lines for an answer that needs an admin."""
    is_problem: bool = False
    is_uncertain: bool = False
    """The answer depends on what the backend cannot tell (see `caveats`)."""
    offer_self_service: bool = False
    """Show "Request Shared Calling": the asker, without a working outbound number, where
    self-service is offered (the bot checks everything again on the click)."""


@dataclass(frozen=True, slots=True)
class PersonChoice:
    user_id: str
    display_name: str
    user_principal_name: str


@dataclass(frozen=True, slots=True)
class CallerIdChoicesView:
    query: str
    choices: tuple[PersonChoice, ...]


def caller_id_view(result: Answered) -> CallerIdView:
    """The card view of an answered caller-ID question."""
    answer, name = result.answer, result.subject.display_name
    who = "you" if result.about_self else name
    return CallerIdView(
        subject_id=result.subject.id,
        title="Your caller ID" if result.about_self else f"Caller ID of {name}",
        headline=_headline(answer),
        # Numbers on the card never break across lines; the message text beside it keeps
        # plain characters, so a number copied from it dials as written.
        summary=summary_text(
            answer,
            name,
            about_self=result.about_self,
            number_format=phone,
            admins_notified=result.admins_notified,
        ),
        one_line=one_line_text(
            answer,
            name,
            about_self=result.about_self,
            number_format=display_number,
            admins_notified=result.admins_notified,
        ),
        facts=_facts(answer, who),
        caveats=_caveats(answer),
        problems=_problems(answer),
        is_problem=answer.is_problem,
        is_uncertain=not answer.certain,
    )


SELF_SERVICE_OUTCOMES = frozenset({Outcome.NO_NUMBER, Outcome.NO_PSTN})
"""Answers after which a person may ask for Shared Calling for themselves."""


def may_offer_self_service(result: Answered) -> bool:
    return result.about_self and result.answer.outcome in SELF_SERVICE_OUTCOMES


def choices_view(result: Ambiguous) -> CallerIdChoicesView:
    """The card view of an ambiguous name: one choice per candidate."""
    return CallerIdChoicesView(
        query=result.query,
        choices=tuple(
            PersonChoice(p.id, p.display_name, p.user_principal_name) for p in result.candidates
        ),
    )


def _headline(answer: CallerIdAnswer) -> str:
    """The presented number: for a resource caller ID, the CLID resource account's number."""
    if answer.outbound_number:
        return phone(answer.outbound_number)
    if answer.is_problem:
        return "Outside calls may fail"
    if answer.personal_number:
        return "Caller ID cannot be told"
    return "No outside calls"


def _facts(answer: CallerIdAnswer, who: str) -> tuple[tuple[str, str], ...]:
    facts = [("Setup", OUTCOME_LABELS[answer.outcome])]
    shared = answer.shared
    if shared is not None:
        facts.append(("Policy", f"{shared.policy_name} ({shared.assignment})"))
        number = shared.resource_account_number
        shown = phone(number) if number else "no number"
        facts.append(("Resource account", f"{shared.resource_account_name or '?'} ({shown})"))
        if shared.extension:
            facts.append(("Extension", shared.extension))
    elif answer.personal_number:
        facts.append(("Own number", phone(answer.personal_number)))
    if answer.outcome not in (Outcome.NO_PSTN, Outcome.NO_NUMBER):
        facts.append(("Callbacks", _callbacks(answer, who)))
        facts.append(("Emergency calls", _emergency(answer)))
    if answer.clid is not None:
        facts.append(("Caller-ID policy", f"{answer.clid.policy_name}: {answer.clid.effect}"))
    return tuple(facts)


def _callbacks(answer: CallerIdAnswer, who: str) -> str:
    shared = answer.shared
    if answer.callbacks is Callbacks.RING_USER:
        return f"ring {who} directly"
    if answer.callbacks is Callbacks.AUTO_ATTENDANT and shared is not None:
        return f"auto attendant {shared.auto_attendant_name}"
    if answer.callbacks is Callbacks.NO_AUTO_ATTENDANT and shared is not None:
        if shared.other_app_name is None:
            return "reach nobody: no auto attendant (SC-R10)"
        kind = "call queue" if shared.other_app_type is AppConfigurationType.CALL_QUEUE else "app"
        return f"{kind} {shared.other_app_name}, no auto attendant (SC-R10)"
    return "none"


def _emergency(answer: CallerIdAnswer) -> str:
    emergency = answer.emergency
    numbers = ", ".join(phone(n) for n in emergency.numbers)
    if emergency.kind is EmergencyKind.CALLBACK_POOL:
        return f"one of {numbers}, held {emergency.hold_minutes} min for callbacks"
    if emergency.kind is EmergencyKind.MAIN_NUMBER:
        return f"the shared number {numbers} (no callback numbers in the policy)"
    if emergency.kind is EmergencyKind.OWN_NUMBER:
        return f"own number {numbers}"
    if emergency.kind is EmergencyKind.UNDETERMINED:
        return "undetermined until the setup is fixed"
    if emergency.kind is EmergencyKind.NOT_SET_UP:
        codes = ", ".join(dict.fromkeys(r.code for r in emergency.reasons if r.code))
        return f"not set up correctly; an admin must fix it ({codes})"
    return "no callback number"


def _problems(answer: CallerIdAnswer) -> tuple[str, ...]:
    """Rule-coded reasons an admin can act on; a working setup's notes are caveats instead.

    An emergency path that is not set up is always something to fix, whatever the outcome.
    """
    emergency = tuple(f"{r.code}: {r.text}" for r in answer.emergency.reasons if r.code)
    if not answer.is_problem and answer.outcome is not Outcome.NO_PSTN:
        return emergency
    return (*(f"{r.code}: {r.text}" for r in answer.reasons if r.code), *emergency)


def _caveats(answer: CallerIdAnswer) -> tuple[str, ...]:
    caveats = [f"{_sentence(r.text)} ({r.code})." for r in answer.unknowns]
    caveats += [
        f"Number {phone(n)} is {state}: not a working number."
        for n, state in answer.inactive_numbers
    ]
    if answer.clid is not None and answer.shared is not None:
        caveats.append(
            f"Caller-ID policy {answer.clid.policy_name} is in force; its effect with shared "
            "numbers is not guaranteed (SC-P06)."
        )
    if answer.callbacks is Callbacks.NO_AUTO_ATTENDANT:
        caveats.append("People calling back cannot reach a person by name (SC-R10).")
    return tuple(caveats)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
