"""Parse what a person typed into a command: pure, no Bot Framework, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The curly apostrophe is what Teams on phones types.
_APOSTROPHE = "(?:'|\u2019)"
_CALLER_ID = r"caller[\s-]?id"
_SELF_WORDS = frozenset({"i", "me", "my", "myself", "mine"})

_SUBJECT_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # "which number does Lee Gu call out as", "what number will LeeG@contoso.example show"
        r"^(?:which|what) (?:phone )?number (?:does|will|would|do) (?P<s>.+?) "
        r"(?:call out as|call out with|call out from|call from|show|present|use)$",
        # "what's Lee's caller id", "what is Lee Gu's number"
        rf"^what(?:{_APOSTROPHE}s| is) (?P<s>.+?){_APOSTROPHE}s? "
        rf"(?:{_CALLER_ID}|(?:outbound |phone )?number)$",
        # "caller id for Lee", "caller id of LeeG@contoso.example"
        rf"^{_CALLER_ID} (?:for|of) (?P<s>.+)$",
        # "Lee Gu's caller id"
        rf"^(?P<s>.+?){_APOSTROPHE}s? {_CALLER_ID}$",
        # "what number do people see when Lee calls"
        r"^(?:what|which) number do (?:people|others|they) see when (?P<s>.+?) calls?$",
    )
)

_SELF_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        _CALLER_ID,
        r"\bcall(?:ing)? out (?:as|with|from)\b",
        r"\bmy (?:phone |outbound |own )?number\b",
        r"\bnumber do (?:people|others|they) see\b",
        r"\b(?:which|what) (?:phone )?number (?:do|will|would|should) i\b",
    )
)

_MY_REQUESTS = re.compile(r"^(?:show |list )?my requests$", re.IGNORECASE)
_PENDING = re.compile(
    r"^(?:show |list )?(?:my )?(?:pending approvals|approvals pending|approvals)$", re.IGNORECASE
)
_SHOW_REQUEST = re.compile(r"^(?:show|open) request (?P<id>\S.{0,39})$", re.IGNORECASE)
_AUDIT_EXPORT = re.compile(
    r"^(?:audit export|export (?:the )?audit(?: log| trail)?)(?: (?:as )?(?P<fmt>csv|json))?$",
    re.IGNORECASE,
)

_HELP = re.compile(r"^(?:help|\?|what can you do|commands|menu|hi|hello)$", re.IGNORECASE)
_HAZARDS = re.compile(
    r"^(?:show |list |open |any )?hazards?(?: page (?P<page>\d{1,4}))?$", re.IGNORECASE
)
_CHECK_NOW = re.compile(
    r"^(?:check(?: hazards?)? now|check hazards?|run (?:the )?(?:hazard )?check(?: now)?)$",
    re.IGNORECASE,
)

_SETUP = re.compile(
    r"^(?:please |let(?:'|\u2019)?s |i (?:want|would like|need) to |help me )?(?:"
    # "set up shared calling", "configure shared calling for Diego", "add users to shared calling"
    r"(?:set ?up|configure|enable|roll ?out|add|move|put)(?: (?:people|users|someone|them))? "
    r"(?:(?:for|on|onto|to|with) )?(?:the )?shared calling(?: (?:for|to|on) .+)?"
    # "start setup", "resume the set-up", "new shared calling setup", "shared calling setup"
    r"|(?:(?:start|begin|new|resume|continue|open|finish)(?: a| the| my)?(?: new)? )?"
    r"(?:shared calling )?set ?up"
    r")$",
    re.IGNORECASE,
)

# Self-service (issue 15): a person asks for a number for themselves, in their own words.
_NUMBER_WORDS = (
    r"(?:a |an |my own |my )?(?:(?:phone|outbound|work|shared|telephone) )?(?:number|line)"
)
_WANT = (
    r"(?:(?:can|could|may) i (?:get|have|request|ask for)|i (?:need|want|would like)(?: to get)?"
    r"|i(?:'|\u2019)d like|get me|give me|request)"
)
_SELF_SERVICE = re.compile(
    r"^(?:please |hi |hello |hey )?(?:"
    rf"{_WANT} (?:{_NUMBER_WORDS}|shared calling)(?: for (?:me|myself))?(?:,? please)?"
    r"|i need to (?:call|phone|ring|dial) (?:a |an |my |our |some )?"
    r"(?:customers?|clients?|people|someone|outside|out|externally|numbers?|the outside world)"
    r"(?: .{1,60})?"
    r"|(?:add|sign) me (?:up )?(?:to|for|on)(?: the)? shared calling"
    r"|request (?:it )?for me|request for myself|self[- ]?service(?: request)?"
    r")$",
    re.IGNORECASE,
)

# The admin overview (issue 15): "shared calling status", "status of shared calling", ...
_STATUS = re.compile(
    r"^(?:show |what(?:'s| is) |give me )?(?:the |an? )?(?:"
    r"(?:shared calling|sc) (?:status|overview|summary)(?: overview)?"
    r"|(?:status|overview|summary) of (?:the )?shared calling"
    r"|(?:admin )?overview"
    r")(?: page (?P<page>\d{1,4}))?(?: (?:as |in )?(?P<csv>csv))?$",
    re.IGNORECASE,
)

# Apply commands (issue 12): the request id is checked by the answer, which names a bad one.
_RETRY = re.compile(r"^retry(?: failed(?: changes)?)?(?: (?:of|for))? (?P<id>\S.*)$", re.I)
_REVERT = re.compile(r"^(?:revert|roll ?back|undo)(?: request)? (?P<id>\S.*)$", re.I)
_FREEZE = re.compile(r"^freeze(?: (?:applies|apply|changes))?(?:[:\s-]+(?P<reason>.*))?$", re.I)
_RESUME = re.compile(r"^(?:resume|unfreeze|thaw)(?: (?:applies|apply|changes))?$", re.I)


@dataclass(frozen=True, slots=True)
class CallerIdQuestion:
    """Which number someone calls out as; `subject` None means the asker."""

    subject: str | None = None


@dataclass(frozen=True, slots=True)
class RequestForMe:
    """A person asks for Shared Calling for themselves (self-service)."""


@dataclass(frozen=True, slots=True)
class Help:
    """What can this bot do for me? `mention` is the bot's name when asked in a group chat or
    channel (set by the handler, not parsed), where people must @mention it."""

    mention: str | None = None


@dataclass(frozen=True, slots=True)
class StartSetup:
    """An admin wants to set up Shared Calling (or go back to the set-up in progress)."""


@dataclass(frozen=True, slots=True)
class Unknown:
    """Anything we do not understand; answered with a pointer to `help`."""

    text: str = ""
    mention: str | None = None


@dataclass(frozen=True, slots=True)
class MyRequests:
    """The requests the asker submitted, newest first."""


@dataclass(frozen=True, slots=True)
class PendingApprovals:
    """The pending requests the asker may decide now."""


@dataclass(frozen=True, slots=True)
class ShowRequest:
    """One request's card; `request_id` as typed (normalised by the use case)."""

    request_id: str


@dataclass(frozen=True, slots=True)
class AuditExport:
    """A download link for the audit trail; `format` csv or json (None: both)."""

    format: str | None = None


@dataclass(frozen=True, slots=True)
class Hazards:
    """The open hazards (admins); `page` is 0-based, typed 1-based ("hazards page 2")."""

    page: int = 0


@dataclass(frozen=True, slots=True)
class CheckNow:
    """Run the hazard check now (admins)."""


@dataclass(frozen=True, slots=True)
class RetryFailed:
    """Re-run the failed changes of a request (`request` as typed)."""

    request: str


@dataclass(frozen=True, slots=True)
class Revert:
    """Plan the revert of an applied request, for approval."""

    request: str


@dataclass(frozen=True, slots=True)
class FreezeApplies:
    """The change freeze: every apply pauses at its next change."""

    reason: str = ""


@dataclass(frozen=True, slots=True)
class ResumeApplies:
    """End the change freeze."""


@dataclass(frozen=True, slots=True)
class SharedCallingStatus:
    """The admin overview; `page` 0-based (typed 1-based), `csv` with a download link."""

    page: int = 0
    csv: bool = False


Command = (
    CallerIdQuestion
    | Help
    | StartSetup
    | Unknown
    | MyRequests
    | PendingApprovals
    | ShowRequest
    | AuditExport
    | Hazards
    | CheckNow
    | RetryFailed
    | Revert
    | FreezeApplies
    | ResumeApplies
    | RequestForMe
    | SharedCallingStatus
)


def _hazard_command(text: str) -> Command | None:
    hazards = _HAZARDS.match(text)
    if hazards:
        page = hazards.group("page")
        return Hazards(max(0, int(page) - 1) if page else 0)
    return CheckNow() if _CHECK_NOW.match(text) else None


def _clean(text: str) -> str:
    collapsed = " ".join(text.split())
    return collapsed.rstrip("?!. ").strip()


def _subject(text: str) -> str | None:
    for pattern in _SUBJECT_PATTERNS:
        match = pattern.match(text)
        if match:
            subject = match.group("s").strip(" \"'\u2019")
            return None if subject.lower() in _SELF_WORDS else subject or None
    return None


def _workflow_command(cleaned: str) -> Command | None:
    if _MY_REQUESTS.match(cleaned):
        return MyRequests()
    if _PENDING.match(cleaned):
        return PendingApprovals()
    shown = _SHOW_REQUEST.match(cleaned)
    if shown:
        return ShowRequest(shown.group("id"))
    export = _AUDIT_EXPORT.match(cleaned)
    if export:
        fmt = export.group("fmt")
        return AuditExport(fmt.lower() if fmt else None)
    return None


def _apply_command(text: str) -> Command | None:
    """Retry, revert, freeze and resume; the freeze reason is kept as typed."""
    for pattern, make in (
        (_RETRY, lambda m: RetryFailed(m.group("id").strip())),
        (_REVERT, lambda m: Revert(m.group("id").strip())),
        (_FREEZE, lambda m: FreezeApplies((m.group("reason") or "").strip())),
        (_RESUME, lambda m: ResumeApplies()),
    ):
        found = pattern.match(text.strip())
        if found:
            command: Command = make(found)
            return command
    return None


def parse_command(text: str) -> Command:
    """Map a message (mentions already removed) to the command it asks for."""
    cleaned = _clean(text)
    if not cleaned or _HELP.match(cleaned):
        return Help()
    if _SETUP.match(cleaned.replace("-", " ")):
        return StartSetup()
    workflow = _workflow_command(cleaned)
    if workflow is not None:
        return workflow
    overview = _STATUS.match(cleaned)
    if overview:
        page = overview.group("page")
        return SharedCallingStatus(max(0, int(page) - 1) if page else 0, bool(overview["csv"]))
    hazard_command = _hazard_command(cleaned)
    if hazard_command is not None:
        return hazard_command
    apply_command = _apply_command(" ".join(text.split()))
    if apply_command is not None:
        return apply_command
    if _SELF_SERVICE.match(cleaned):
        return RequestForMe()
    subject = _subject(cleaned)
    if subject is not None:
        return CallerIdQuestion(subject=subject)
    if any(pattern.search(cleaned) for pattern in _SELF_PATTERNS):
        return CallerIdQuestion()
    return Unknown(cleaned)
