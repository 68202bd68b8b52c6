"""The text answers to "which number do I call out as?": one line, and one paragraph."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sharedcalling.domain.callerid_model import (
    Callbacks,
    CallerIdAnswer,
    CallerIdCaveat,
    EmergencyKind,
    Outcome,
    Reason,
    SharedCallingDetails,
)
from sharedcalling.domain.callerid_setup import CALLS_FAIL_CODES
from sharedcalling.domain.tenant import AppConfigurationType, base_number

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
    admins_notified: bool = False
    """The admins were told of this broken setup (or had been): the answer may say so."""

    @property
    def fix(self) -> str:
        """What the asker is told about getting it fixed (only when asking about themselves)."""
        if not self.about_self:
            return ""
        return (
            "An admin has been notified."
            if self.admins_notified
            else ("Please ask a voice admin to fix it.")
        )

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
    admins_notified: bool = False,
) -> str:
    """The answer as one paragraph, with `**bold**` numbers (Markdown, as Teams renders it).

    The domain keeps numbers in E.164; the caller passes `number_format` to display them.
    `admins_notified` says a broken setup was reported to the admins, so the text may say so.
    """
    voice = _Voice(about_self, subject_name, admins_notified)
    return _unless_unknown(answer, voice, _summary(answer, voice, number_format))


def _summary(answer: CallerIdAnswer, voice: _Voice, fmt: NumberFormat) -> str:
    outcome = answer.outcome
    if outcome in (Outcome.SHARED, Outcome.SHARED_EXT) and answer.shared is not None:
        return _shared(answer, answer.shared, voice, fmt)
    if outcome in (Outcome.PERSONAL, Outcome.PERSONAL_DR) and answer.personal_number:
        return _personal(answer, voice, fmt)
    if answer.is_problem:
        return _problem(answer, voice)
    return _not_set_up(answer, voice)


def _doubt(reason: Reason, voice: _Voice) -> str:
    if reason.code == "SC-U03":
        return (
            f"I cannot tell whether Teams Phone is provisioned for {voice.object}; the backend "
            "does not report it (SC-U03)"
        )
    return f"I {reason.text} ({reason.code})" if reason.code else f"I {reason.text}"


def _unless_unknown(answer: CallerIdAnswer, voice: _Voice, text: str) -> str:
    """Prefix an answer that depends on what the backend cannot tell with that doubt."""
    if answer.certain:
        return text
    doubt = "; ".join(_doubt(reason, voice) for reason in answer.unknowns)
    # Lower-case only our own opening words ("You ...", "When you ..."), never a name.
    rest = text[:1].lower() + text[1:] if voice.about_self else text
    return f"{doubt}. If it is: {rest}" if rest.endswith(".") else f"{doubt}; if it is, {rest}"


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
    for number, state in answer.inactive_numbers:
        text += f" Note: {voice.possessive} number {fmt(number)} is {state} and not in use."
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


def _codes(reasons: tuple[Reason, ...]) -> str:
    return ", ".join(dict.fromkeys(r.code for r in reasons if r.code)) or "unknown cause"


def emergency_not_set_up(answer: CallerIdAnswer, voice_object: str) -> str:
    """The sentence for an emergency path the configuration cannot deliver."""
    return (
        f"emergency calling is not set up correctly for {voice_object}; an admin must fix it "
        f"({_codes(answer.emergency.reasons)})"
    )


def _shared_emergency(answer: CallerIdAnswer, voice: _Voice, fmt: NumberFormat) -> str:
    emergency = answer.emergency
    if emergency.kind is EmergencyKind.NOT_SET_UP:
        return f"Warning: {emergency_not_set_up(answer, voice.object)}."
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


def _personal(answer: CallerIdAnswer, voice: _Voice, fmt: NumberFormat) -> str:
    own = fmt(base_number(answer.personal_number or ""))
    clid = answer.clid
    if clid is not None and clid.substitutes_resource:
        start = _substituted(answer, clid, own, voice, fmt)
    else:
        start = f"{_cap(voice.subject)} {voice.verb('call')} out as **{own}**"
        if answer.outcome is Outcome.PERSONAL_DR:
            start += " through direct routing"
        if clid is not None:
            start += f", shown as {clid.effect}"
    if answer.outcome is Outcome.PERSONAL_DR:
        return f"{start}; shared calling does not apply to {voice.object}."
    return f"{start}. Emergency calls always send {own}."


def _substituted(
    answer: CallerIdAnswer, clid: CallerIdCaveat, own: str, voice: _Voice, fmt: NumberFormat
) -> str:
    """CallingIDSubstitute Resource: people see the CLID resource account's number."""
    owner = clid.resource_account_name or "a resource account"
    if answer.outbound_number is None:
        return (
            f"{_cap(voice.possessive)} caller-ID policy {clid.policy_name} replaces "
            f"{voice.possessive} own number {own} with the number of {owner}, which has none, "
            "so what people see cannot be told"
        )
    return (
        f"{_cap(voice.subject)} {voice.verb('call')} out as **{fmt(answer.outbound_number)}**, "
        f"the number of {owner} set by {voice.possessive} caller-ID policy {clid.policy_name}; "
        f"{voice.possessive} own number is {own}"
    )


def _problem_sentence(answer: CallerIdAnswer, voice: _Voice) -> str:
    codes = ", ".join(answer.rule_codes) or "unknown cause"
    if answer.outcome is not Outcome.SHARED_BROKEN:
        effect = "may not show the shared number"
    elif {r.code for r in answer.reasons if r.code} <= CALLS_FAIL_CODES:
        effect = "will fail"
    else:
        # Only the causes of step 5 certainly fail; for the others we do not claim more.
        effect = "may fail"
    return (
        f"{_cap(voice.possessive)} shared-calling setup is incomplete ({codes}); "
        f"outside calls {effect}"
    )


def _problem(answer: CallerIdAnswer, voice: _Voice) -> str:
    # "An admin has been notified" is said only when it is true.
    fix = f" {voice.fix}" if voice.fix else ""
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
    admins_notified: bool = False,
) -> str:
    """The answer in one sentence, for the message text beside the card (and notifications).

    The card carries the paragraph of `summary_text` with callbacks and emergency details.
    """
    voice = _Voice(about_self, subject_name, admins_notified)
    return _unless_unknown(answer, voice, _one_line(answer, voice, number_format))


def _one_line(answer: CallerIdAnswer, voice: _Voice, fmt: NumberFormat) -> str:
    number = answer.outbound_number
    if answer.outcome in (Outcome.SHARED, Outcome.SHARED_EXT) and answer.shared and number:
        owner = answer.shared.resource_account_name or "a resource account"
        text = (
            f"{_cap(voice.subject)} {voice.verb('call')} out as **{fmt(number)}**, "
            f"the shared number of {owner} (Shared Calling policy {answer.shared.policy_name})"
        )
        if answer.clid is not None:
            text += f"; caller-ID policy {answer.clid.policy_name} may change what people see"
        if answer.emergency.kind is EmergencyKind.NOT_SET_UP:
            text += f"; {emergency_not_set_up(answer, voice.object)}"
        return text + "."
    if answer.outcome in (Outcome.PERSONAL, Outcome.PERSONAL_DR) and answer.personal_number:
        return _personal_line(answer, voice, fmt)
    if answer.is_problem:
        fix = f"; {voice.fix[0].lower()}{voice.fix[1:-1]}" if voice.fix else ""
        return f"{_problem_sentence(answer, voice)}{fix}."
    return _not_set_up(answer, voice)


def _personal_line(answer: CallerIdAnswer, voice: _Voice, fmt: NumberFormat) -> str:
    clid = answer.clid
    if clid is not None and clid.substitutes_resource:
        own = fmt(base_number(answer.personal_number or ""))
        return _substituted(answer, clid, own, voice, fmt) + "."
    number = fmt(answer.outbound_number or base_number(answer.personal_number or ""))
    text = f"{_cap(voice.subject)} {voice.verb('call')} out as **{number}**"
    text += f", {voice.possessive} own number"
    if answer.outcome is Outcome.PERSONAL_DR:
        text += ", through direct routing"
    if clid is not None:
        text += f", shown as {clid.effect}"
    return text + "."
