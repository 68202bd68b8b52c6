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
APPROVAL_PREFIXES = ("approval.", "request.", "selfservice.")
"""Unknown or foreign actions under these prefixes are refused and leave an audit entry."""


HAZARD_ID = "hazardId"
"""Payload key: the id of a hazard (`HZ-...`); the bot re-reads it and re-checks the asker."""

HAZARD_PLAN_FIX = "hazard.plan_fix"
"""An admin asks for a plan that fixes a hazard; it goes for approval like any plan."""

HAZARD_PAGE = "hazard.page"
"""Another page of the open hazards."""


# ---- the admin set-up (issue 10): every step answers in place with the next card.
SETUP_START = "setup.start"
"""Start (or resume) the set-up: the welcome and help cards' button."""
SETUP_NEXT = "setup.next"
"""Submit the current step's inputs and go on."""
SETUP_BACK = "setup.back"
SETUP_CANCEL = "setup.cancel"
SETUP_REFRESH = "setup.refresh"
"""Show the current step again (read the tenant again)."""
SETUP_PAGE = "setup.page"
"""Show another page of a list (`list`, `page`)."""
SETUP_ADD_USERS = "setup.add_users"
SETUP_REMOVE_USERS = "setup.remove_users"
SETUP_CLEAR_USERS = "setup.clear_users"
SETUP_ADD_NUMBERS = "setup.add_numbers"
SETUP_NUMBER_UP = "setup.number_up"
SETUP_NUMBER_REMOVE = "setup.number_remove"
SETUP_EXPORT = "setup.export"
"""Make a single-use download link for the plan (`format` ps1 or json)."""
SETUP_SUBMIT = "setup.submit"
SETUP_REQUEST_STATUS = "setup.request_status"
"""The status card of a submitted set-up request (`requestId`), read again."""
SETUP_REQUEST_CANCEL = "setup.request_cancel"
"""Cancel a submitted set-up request (`requestId`) before it is decided."""

SETUP_DIALOG_ACTIONS: frozenset[str] = frozenset(
    {
        SETUP_START,
        SETUP_NEXT,
        SETUP_BACK,
        SETUP_CANCEL,
        SETUP_REFRESH,
        SETUP_PAGE,
        SETUP_ADD_USERS,
        SETUP_REMOVE_USERS,
        SETUP_CLEAR_USERS,
        SETUP_ADD_NUMBERS,
        SETUP_NUMBER_UP,
        SETUP_NUMBER_REMOVE,
        SETUP_EXPORT,
        SETUP_SUBMIT,
    }
)
"""Actions the set-up dialog answers (they need its state); the others are stateless."""

# Payload keys of the set-up's actions (input ids are in cards/setup/inputs.py).
STEP = "step"
"""The step the card shows: an action for another step is refused (a skipped step)."""
REVISION = "rev"
"""The set-up's revision the card was drawn from: an older card is redrawn, not obeyed."""
NUMBER = "number"
LIST = "list"
FORMAT = "format"

SEARCH_PEOPLE = "setup.people"
"""Data.Query dataset of the people typeahead (answered by the `application/search` invoke)."""
SEARCH_GROUPS = "setup.groups"
SEARCH_DATASETS: frozenset[str] = frozenset({SEARCH_PEOPLE, SEARCH_GROUPS})

APPLY_RETRY = "apply.retry"
"""Re-run the failed changes of a partly applied or failed request."""

APPLY_REVERT = "apply.revert"
"""Plan the revert of an applied request, for approval."""

# Self-service (issue 15): a person asks for Shared Calling for themselves. The payload carries
# only the fingerprint of the plan the card showed; who asks comes from the activity.
SELF_SERVICE_START = "selfservice.start"
"""Show the asker's self-service plan (the caller-ID card's button)."""
SELF_SERVICE_SUBMIT = "selfservice.submit"
"""File the plan the card showed (`fingerprint`) with the reason typed (`SELF_SERVICE_REASON`)."""
SELF_SERVICE_REASON = "selfServiceReason"
"""Input id of the reason on the self-service card."""

STATUS_PAGE = "status.page"
"""Another page of the admin overview ("shared calling status"); data: PAGE."""
STATUS_EXPORT = "status.export"
"""The admin overview as a CSV download link."""

ACTION_IDS: frozenset[str] = (
    frozenset({CALLERID_PICK, CALLERID_REFRESH, HAZARD_PLAN_FIX, HAZARD_PAGE})
    | frozenset({STATUS_PAGE, STATUS_EXPORT})
    | frozenset({SETUP_REQUEST_STATUS, SETUP_REQUEST_CANCEL, APPLY_RETRY, APPLY_REVERT})
    | frozenset({SELF_SERVICE_START, SELF_SERVICE_SUBMIT})
    | SETUP_DIALOG_ACTIONS
    | APPROVAL_ACTION_IDS
)
"""Every action id a card may carry; the bot's ACTION_HANDLERS and DIALOG_ACTIONS cover them."""
