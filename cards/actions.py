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

REQUEST_ID = "requestId"
"""Payload key: the id of the request an action is about (the bot re-reads the request)."""

APPLY_RETRY = "apply.retry"
"""Re-run the failed changes of a partly applied or failed request."""

APPLY_REVERT = "apply.revert"
"""Plan the revert of an applied request, for approval."""

ACTION_IDS: frozenset[str] = frozenset({CALLERID_PICK, CALLERID_REFRESH, APPLY_RETRY, APPLY_REVERT})
"""Every action id a card may carry; the bot's ACTION_HANDLERS must cover all of them."""
