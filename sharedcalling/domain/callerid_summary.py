"""The text answers to "which number do I call out as?": one line, and one paragraph (§9)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sharedcalling.domain.callerid_model import (
    Callbacks,
    CallerIdAnswer,
    EmergencyKind,
    Outcome,
    SharedCallingDetails,
)
from sharedcalling.domain.tenant import AppConfigurationType

NumberFormat = Callable[[str], str]


def _as_is(number: str) -> str:
    return number


def _cap(text: str) -> str:
    """Capitalise the first letter only: str.capitalize() would lower-case a surname."""
    return text[:1].upper() + text[1:]


@dataclass(frozen=True, slots=True)
class _Voice:
    """Second person for the asker, third person when an admin asks about someone else."""

    about_self: bool
    name: str

    @property
    def subject(self) -> str:
        return "you" if self.about_self else self.name

    @property
    def object(self) -> str:
        return "you" if self.about_self else self.name

    @property
    def possessive(self) -> str:
        return "your" if self.about_self else f"{self.name}'s"

    def verb(self, base: str) -> str:
        """`call` -> `call` / `calls`; `are` -> `are` / `is`."""
        if base == "are":
            return "are" if self.about_self else "is"
        return base if self.about_self else f"{base}s"


def summary_text(
    answer: CallerIdAnswer,
    subject_name: str,
    *,
    about_self: bool,
    number_format: NumberFormat = _as_is,
) -> str:
    """The answer as one paragraph, with `**bold**` numbers (Markdown, as Teams renders it).

    The domain keeps numbers in E.164; the caller passes `number_format` to display them.
    """
    voice = _Voice(about_self, subject_name)
    outcome = answer.outcome
    if outcome in (Outcome.SHARED, Outcome.SHARED_EXT) and answer.shared is not None:
        return _shared(answer, answer.shared, voice, number_format)
    if outcome in (Outcome.PERSONAL, Outcome.PERSONAL_DR) and answer.outbound_number:
        return _personal(answer, answer.outbound_number, voice, number_format)
    if answer.is_problem:
        return _problem(answer, voice)
    return _not_set_up(answer, voice)


def _shared(
    answer: CallerIdAnswer, shared: SharedCallingDetails, voice: _Voice, fmt: NumberFormat
) -> str:
    number = fmt(answer.outbound_number or "")
    if shared.auto_attendant_name:
        line = f"our main line ({shared.auto_attendant_name})"
    else:
        line = f"the shared number of {shared.resource_account_name or 'a resource account'}"
    text = (
        f"When {voice.subject} {voice.verb('call')} an outside number, people see "
        f"**{number}**, {line}. {_callbacks(answer, shared, voice)} "
        f"{_shared_emergency(answer, voice, fmt)}"
    )
    if answer.clid is not None:
        text += (
            f" Note: {voice.possessive} caller-ID policy {answer.clid.policy_name} is in force "
            "and its effect with shared numbers is not guaranteed."
        )
    return text


def _callbacks(answer: CallerIdAnswer, shared: SharedCallingDetails, voice: _Voice) -> str:
    if answer.callbacks is Callbacks.AUTO_ATTENDANT:
        extension = f" or extension {shared.extension}" if shared.extension else ""
        return (
            "If they call back they reach the auto attendant and can ask for "
            f"{voice.object} by name{extension}."
        )
    if shared.other_app_name:
        where = f"reach the {_app_kind(shared)} {shared.other_app_name}, not"
    else:
        where = "reach no"
    return (
        f"Callbacks {where} an auto attendant, so callers cannot ask for {voice.object} by name "
        "(SC-R10)."
    )


def _app_kind(shared: SharedCallingDetails) -> str:
    if shared.other_app_type is AppConfigurationType.CALL_QUEUE:
        return "call queue"
    return "voice app"


def _shared_emergency(answer: CallerIdAnswer, voice: _Voice, fmt: NumberFormat) -> str:
    emergency = answer.emergency
    if emergency.kind is EmergencyKind.CALLBACK_POOL:
        numbers = ", ".join(fmt(n) for n in emergency.numbers)
        return (
            f"For emergency calls, the emergency service sees one of **{numbers}**, which rings "
            f"{voice.object} directly for {emergency.hold_minutes} minutes."
        )
    if emergency.kind is EmergencyKind.MAIN_NUMBER and emergency.numbers:
        main = fmt(emergency.numbers[0])
        which = (
            "our main number"
            if answer.callbacks is Callbacks.AUTO_ATTENDANT
            else "the shared number"
        )
        return f"For emergency calls, the emergency service sees {which} {main}."
    return "Emergency calls have no callback number."


def _personal(answer: CallerIdAnswer, number: str, voice: _Voice, fmt: NumberFormat) -> str:
    shown = fmt(number)
    start = f"{_cap(voice.subject)} {voice.verb('call')} out as **{shown}**"
    if answer.outcome is Outcome.PERSONAL_DR:
        start += " through direct routing"
    if answer.clid is not None:
        start += f", shown as {answer.clid.effect}"
    if answer.outcome is Outcome.PERSONAL_DR:
        return f"{start}; shared calling does not apply to {voice.object}."
    return f"{start}. Emergency calls always send {shown}."


def _problem_sentence(answer: CallerIdAnswer, voice: _Voice) -> str:
    codes = ", ".join(answer.rule_codes) or "unknown cause"
    effect = (
        "will fail" if answer.outcome is Outcome.SHARED_BROKEN else "may not show the shared number"
    )
    return (
        f"{_cap(voice.possessive)} shared-calling setup is incomplete ({codes}); "
        f"outside calls {effect}"
    )


def _problem(answer: CallerIdAnswer, voice: _Voice) -> str:
    # The templates say "An admin has been notified"; nothing notifies today, so we do not claim it.
    fix = " Please ask a voice admin to fix it." if voice.about_self else ""
    return f"{_problem_sentence(answer, voice)}.{fix}"


def _not_set_up(answer: CallerIdAnswer, voice: _Voice) -> str:
    why = "; ".join(f"{r.text} ({r.code})" if r.code else r.text for r in answer.reasons)
    text = (
        f"{_cap(voice.subject)} {voice.verb('are')} not set up to call outside numbers from Teams"
    )
    return f"{text}: {why}." if why else f"{text}."


def one_line_text(
    answer: CallerIdAnswer,
    subject_name: str,
    *,
    about_self: bool,
    number_format: NumberFormat = _as_is,
) -> str:
    """The answer in one sentence, for the message text beside the card (and notifications).

    The card carries the paragraph of `summary_text` with callbacks and emergency details.
    """
    voice = _Voice(about_self, subject_name)
    number = answer.outbound_number
    if answer.outcome in (Outcome.SHARED, Outcome.SHARED_EXT) and answer.shared and number:
        owner = answer.shared.resource_account_name or "a resource account"
        text = (
            f"{_cap(voice.subject)} {voice.verb('call')} out as **{number_format(number)}**, "
            f"the shared number of {owner} (Shared Calling policy {answer.shared.policy_name})"
        )
        if answer.clid is not None:
            text += f"; caller-ID policy {answer.clid.policy_name} may change what people see"
        return text + "."
    if answer.outcome in (Outcome.PERSONAL, Outcome.PERSONAL_DR) and number:
        text = f"{_cap(voice.subject)} {voice.verb('call')} out as **{number_format(number)}**"
        text += f", {voice.possessive} own number"
        if answer.outcome is Outcome.PERSONAL_DR:
            text += ", through direct routing"
        if answer.clid is not None:
            text += f", shown as {answer.clid.effect}"
        return text + "."
    if answer.is_problem:
        fix = "; please ask a voice admin to fix it" if about_self else ""
        return f"{_problem_sentence(answer, voice)}{fix}."
    return _not_set_up(answer, voice)
