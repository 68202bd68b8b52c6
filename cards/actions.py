"""Card action ids (verbs) and payload keys: the one contract between cards and bot routing.

Action.Execute carries the id as `verb`; Action.Submit carries it in its data under VERB_KEY.
Payloads carry ids only; the bot re-checks every permission on arrival and trusts nothing else.
"""

from __future__ import annotations

VERB_KEY = "verb"
"""Key of the action id inside an Action.Submit payload."""

USER_ID = "userId"
"""Payload key: the object id of the person an action is about."""

CALLERID_PICK = "callerid.pick"
"""An admin picked one candidate of an ambiguous caller-ID question."""

CALLERID_REFRESH = "callerid.refresh"
"""Ask the caller-ID question again for the same person."""

# Approval workflow (issue 11). Payloads carry only the request id, the plan fingerprint and,
# for paging, a page number; who acts comes from the activity, never from the card.
REQUEST_ID = "requestId"
FINGERPRINT = "fingerprint"
PAGE = "page"
REASON = "reason"
"""Input id of the rejection reason (Input.Text values arrive merged into the data)."""

APPROVAL_APPROVE = "approval.approve"
APPROVAL_REJECT = "approval.reject"
APPROVAL_REFRESH = "approval.refresh"
"""The card's refresh action: answers with the viewer's current view."""
APPROVAL_PAGE = "approval.page"
APPROVAL_INSTALL = "approval.install"
"""Install the app for approvers the bot cannot reach (admins)."""
REQUEST_CANCEL = "request.cancel"
REQUEST_REPLAN = "request.replan"
REQUEST_SHOW = "request.show"

APPROVAL_ACTION_IDS = frozenset(
    {
        APPROVAL_APPROVE,
        APPROVAL_REJECT,
        APPROVAL_REFRESH,
        APPROVAL_PAGE,
        APPROVAL_INSTALL,
        REQUEST_CANCEL,
        REQUEST_REPLAN,
        REQUEST_SHOW,
    }
)
APPROVAL_PREFIXES = ("approval.", "request.")


HAZARD_ID = "hazardId"
"""Payload key: the id of a hazard (`HZ-...`); the bot re-reads it and re-checks the asker."""

HAZARD_PLAN_FIX = "hazard.plan_fix"
"""An admin asks for a plan that fixes a hazard; it goes for approval like any plan."""

HAZARD_PAGE = "hazard.page"
"""Another page of the open hazards."""

ACTION_IDS: frozenset[str] = (
    frozenset({CALLERID_PICK, CALLERID_REFRESH, HAZARD_PLAN_FIX, HAZARD_PAGE}) | APPROVAL_ACTION_IDS
)
"""Every action id a card may carry; the bot's ACTION_HANDLERS must cover all of them."""
