"""The request card: approval view (Approve, Reject), status view, requester view, decided view.

One pure function of a RequestView; the audience decides the buttons, the request the rest.
Every copy carries a refresh action, so Teams shows each viewer their own view.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cards import actions as ids
from cards.elements import Element, action_set, card, container, execute, fact_set, text_block
from cards.request_plan import clamp_page, finding_lines, page_count, page_lines, plain
from sharedcalling.domain.requests import ChangeRequest, RequestKind, RequestState
from sharedcalling.services.approvals.views import Audience, RequestView
from sharedcalling.services.numbering import display_number

STATE_LABELS = {
    RequestState.PENDING: ("Waiting for approval", "Accent"),
    RequestState.APPROVED: ("Approved", "Good"),
    RequestState.APPLYING: ("Being applied", "Accent"),
    RequestState.APPLIED: ("Applied", "Good"),
    RequestState.PARTIALLY_APPLIED: ("Partly applied", "Warning"),
    RequestState.FAILED: ("Failed", "Attention"),
    RequestState.REJECTED: ("Rejected", "Attention"),
    RequestState.EXPIRED: ("Expired", "Warning"),
    RequestState.CANCELLED: ("Cancelled", "Warning"),
    RequestState.STALE: ("Stale: the tenant changed", "Warning"),
    RequestState.DRAFT: ("Draft", "Default"),
}
CANCELLABLE = frozenset({RequestState.PENDING, RequestState.APPROVED})


def request_card(view: RequestView) -> dict[str, Any]:
    """The card for `view.audience`; paging and refresh keep the same audience."""
    request = view.request
    label, color = STATE_LABELS[request.state]
    body: list[Element] = [
        text_block(_title(request), weight="Bolder", size="Medium"),
        text_block(label, weight="Bolder", color=color, spacing="None"),
    ]
    if view.notice is not None and view.notice.text:
        style = view.notice.tone.value
        body.append(container(text_block(plain(view.notice.text)), style=style))
    body += [fact_set(_facts(view)), *_findings(request), _decisions(view), *_plan_page(view)]
    body += _buttons(view)
    result = card(*body, full_width=True)
    result["refresh"] = _refresh(view)
    return result


def _title(request: ChangeRequest) -> str:
    if request.kind is RequestKind.SELF_SERVICE:
        return (
            f"Self-service request {request.id} by {plain(request.requester_name)} for themselves"
        )
    return f"Shared Calling request {request.id}"


def _facts(view: RequestView) -> list[tuple[str, str]]:
    request, plan = view.request, view.request.plan
    account = plan.get("resource_account")
    account = account if isinstance(account, Mapping) else {}
    number = account.get("number")
    shown_number = display_number(str(number)) if number else "no number"
    desired = request.desired
    numbers = desired.get("emergency_numbers")
    emergency = (
        "keep the policy's numbers"
        if numbers is None
        else ", ".join(display_number(str(n)) for n in numbers) or "none"
    )
    counts = plan.get("counts")
    counts = counts if isinstance(counts, Mapping) else {}
    account_name = account.get("display") or desired.get("resource_account_id")
    return [
        ("Requested by", _requested_by(request)),
        ("Justification", plain(request.justification or "none given")),
        ("Resource account", f"{plain(account_name)} ({shown_number})"),
        ("Shared Calling policy", plain(desired.get("policy_name", "?"))),
        ("Emergency callback numbers", emergency),
        ("Users", f"{counts.get('users', len(request.user_ids))}: {counts.get('changing', 0)} "
         f"change, {counts.get('compliant', 0)} already compliant, {counts.get('blocked', 0)} "
         "blocked"),
        ("Approval policy", plain(view.policy.describe(view.roster.deciders_name(request)))),
        ("Submitted", _when(request.created_at)),
        ("Expires", _when(request.expires_at) if request.expires_at else "never"),
    ]  # fmt: skip


def _requested_by(request: ChangeRequest) -> str:
    name = plain(request.requester_name)
    if request.kind is RequestKind.SELF_SERVICE:
        return f"{name}, for themselves (self-service request)"
    return name


def _findings(request: ChangeRequest) -> list[Element]:
    lines, more = finding_lines(request.plan, request.attested)
    if not lines:
        return [text_block("Findings: none that block or warn.", subtle=True)]
    text = "\n".join(f"- {line}" for line in lines)
    if more:
        text += f"\n- and {more} more (see the plan export)"
    return [text_block("Findings", weight="Bolder"), text_block(text)]


def _decisions(view: RequestView) -> Element:
    request = view.request
    lines = [
        f"- {plain(d.actor_name)} {'approved' if d.approve else 'rejected'} at {_when(d.at)}"
        + (f": {plain(d.reason)}" if d.reason else "")
        for d in request.decisions
    ]
    got, need = len(request.approvals), request.required_approvals
    head = f"Approvals: {got} of {need}"
    pending = view.pending_approvers
    if pending and view.roster.names:
        names = ", ".join(plain(view.roster.name_of(p)) for p in pending)
        lines.append(f"- Still pending: {names}")
    elif pending:
        lines.append(f"- Still pending: {len(pending)} approvers")
    if request.state is RequestState.PENDING and not view.roster.eligible(request):
        lines.append("- Nobody in the approver group can approve this request.")
    items = [text_block(head, weight="Bolder")]
    if lines:
        items.append(text_block("\n".join(lines)))
    return container(*items, separator=True)


def _plan_page(view: RequestView) -> list[Element]:
    plan = view.request.plan
    page, pages = clamp_page(plan, view.page), page_count(plan)
    lines = page_lines(plan, page)
    title = f"The plan, page {page + 1} of {pages}" if pages > 1 else "The plan"
    items: list[Element] = [text_block(title, weight="Bolder")]
    items.append(text_block("\n".join(lines) if lines else "No changes: everyone is compliant."))
    paging = []
    data = {ids.REQUEST_ID: view.request.id, ids.FINGERPRINT: view.request.fingerprint}
    if page > 0:
        paging.append(execute("Previous page", ids.APPROVAL_PAGE, **data, page=page - 1))
    if page + 1 < pages:
        paging.append(execute("Next page", ids.APPROVAL_PAGE, **data, page=page + 1))
    if paging:
        items.append(action_set(*paging))
    return [container(*items, separator=True)]


def _buttons(view: RequestView) -> list[Element]:
    request = view.request
    data = {ids.REQUEST_ID: request.id, ids.FINGERPRINT: request.fingerprint}
    if view.audience is Audience.DECIDE:
        approve = execute("Approve", ids.APPROVAL_APPROVE, **data)
        approve.update(style="positive", associatedInputs="none")
        reject = execute("Reject", ids.APPROVAL_REJECT, **data)
        reject.update(style="destructive")
        reason = {
            "type": "Input.Text",
            "id": ids.REASON,
            "label": "Reason (required to reject)",
            "isRequired": True,
            "errorMessage": "Give a reason to reject the request.",
            "isMultiline": True,
            "maxLength": 1000,
        }
        return [container(reason, action_set(approve, reject), separator=True)]
    if view.audience is not Audience.REQUESTER:
        return []
    buttons = []
    if request.state in CANCELLABLE:
        buttons.append(execute("Cancel request", ids.REQUEST_CANCEL, **data))
    if request.state is RequestState.STALE:
        buttons.append(execute("Re-plan and re-submit", ids.REQUEST_REPLAN, **data))
    if view.offer_install and request.state is RequestState.PENDING:
        buttons.append(execute("Install the app", ids.APPROVAL_INSTALL, **data))
    return [action_set(*buttons)] if buttons else []


def _refresh(view: RequestView) -> dict[str, Any]:
    page = clamp_page(view.request.plan, view.page)
    return {
        "action": execute("Refresh", ids.APPROVAL_REFRESH, requestId=view.request.id, page=page),
        "userIds": list(view.refresh_user_ids),
    }


def _when(at: datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC" if at is not None else "-"
