"""The plan of a request as card text, a page at a time, from the stored plan JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sharedcalling.services.numbering import display_number

CHANGES_PER_PAGE = 25
"""Changes per card page: 5,000 users plan about 15,000 changes, so paging is a must."""
FINDINGS_SHOWN = 8

_LABELS = {
    "user.enable_voice": "Enable Enterprise Voice",
    "ra.set_location": "Set the emergency location of the number",
    "ra.grant_vrp": "Grant voice routing policy",
    "vrp.create_empty": "Create voice routing policy",
    "user.grant_vrp": "Grant voice routing policy",
    "ecrp.create": "Create emergency call routing policy",
    "user.grant_ecrp": "Grant emergency call routing policy",
    "scp.create": "Create Shared Calling policy",
    "scp.remove_numbers": "Remove emergency callback numbers",
    "scp.add_numbers": "Add emergency callback numbers",
    "scp.grant_user": "Grant Shared Calling policy",
    "scp.grant_group": "Grant Shared Calling policy to group",
}


def changes_of(plan: Mapping[str, Any]) -> Sequence[Any]:
    """The stored changes as they are (a card shows one page; copying 15,000 would cost)."""
    changes = plan.get("changes")
    return changes if isinstance(changes, list) else []


def page_count(plan: Mapping[str, Any]) -> int:
    return max(1, -(-len(changes_of(plan)) // CHANGES_PER_PAGE))


def clamp_page(plan: Mapping[str, Any], page: int) -> int:
    return min(max(0, page), page_count(plan) - 1)


def page_lines(plan: Mapping[str, Any], page: int) -> list[str]:
    """Numbered lines of one page of changes, in apply order."""
    start = clamp_page(plan, page) * CHANGES_PER_PAGE
    chunk = changes_of(plan)[start : start + CHANGES_PER_PAGE]
    return [
        f"{start + i + 1}. {change_line(c)}" for i, c in enumerate(chunk) if isinstance(c, Mapping)
    ]


def change_line(change: Mapping[str, Any]) -> str:
    kind = str(change.get("change", ""))
    label = _LABELS.get(kind, kind or "Change")
    subject = change.get("subject")
    who = str(subject.get("display") or subject.get("id")) if isinstance(subject, Mapping) else ""
    return f"{label}: {plain(who)}{_values(change)}"


def _values(change: Mapping[str, Any]) -> str:
    before, after = change.get("before"), change.get("after")
    if isinstance(after, bool):
        return ""
    if str(change.get("change", "")).endswith(".create") and isinstance(after, Mapping):
        return plain(_created(after))
    if isinstance(after, Mapping):
        after = after.get("policy") or after.get("name")
    if isinstance(after, list):
        after = ", ".join(display_number(str(n)) for n in after) or "none"
    if isinstance(before, list):
        before = ", ".join(display_number(str(n)) for n in before) or "none"
    if after is None:
        return ""
    was = f" (was {before})" if before not in (None, "", after) else ""
    return plain(f" \u2192 {after}{was}")


def _created(after: Mapping[str, Any]) -> str:
    """What a new policy holds (its name is the subject already); a Shared Calling policy's
    emergency callback numbers, which an approver must see, most of all."""
    numbers = after.get("emergency_numbers")
    if isinstance(numbers, list):
        if not numbers:
            return " with no emergency callback numbers"
        return " with emergency callback numbers " + ", ".join(
            display_number(str(n)) for n in numbers
        )
    return ""


def finding_lines(plan: Mapping[str, Any], attested: Sequence[str]) -> tuple[list[str], int]:
    """BLOCK and WARN findings (FIX ones are the plan itself), the acknowledged ones marked;
    and how many more there are than shown. Uses the summary stored at submit when present
    (`notable_findings`): a big plan has thousands of findings."""
    relevant, total = _notable(plan)
    shown: list[str] = []
    given = set(attested)
    for finding in relevant[:FINDINGS_SHOWN]:
        subject = finding.get("subject")
        sid = subject.get("id") if isinstance(subject, Mapping) else ""
        mark = " (acknowledged)" if f"{finding.get('code')}:{sid}" in given else ""
        message = plain(finding.get("message"))
        shown.append(f"{finding.get('severity')} {finding.get('code')}: {message}{mark}")
    return shown, max(0, total - len(shown))


def _notable(plan: Mapping[str, Any]) -> tuple[list[Mapping[str, Any]], int]:
    summary = plan.get("notable_findings")
    if isinstance(summary, Mapping) and isinstance(summary.get("shown"), list):
        shown = [f for f in summary["shown"] if isinstance(f, Mapping)]
        total = summary.get("total")
        return shown, total if isinstance(total, int) else len(shown)
    findings = plan.get("findings")
    relevant = [
        f
        for f in (findings if isinstance(findings, list) else [])
        if isinstance(f, Mapping) and f.get("severity") in ("BLOCK", "WARN")
    ]
    return relevant, len(relevant)


_MARKDOWN_SPECIAL = {ord(ch): "\\" + ch for ch in "\\`*_{}[]()<>#|~!"}


def plain(text: object) -> str:
    """Untrusted text (names, justifications, reasons) shown as typed, never as Markdown."""
    return str(text).translate(_MARKDOWN_SPECIAL)
