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

HAZARD_ID = "hazardId"
"""Payload key: the id of a hazard (`HZ-...`); the bot re-reads it and re-checks the asker."""

PAGE = "page"
"""Payload key: a page number of a paged card (0-based); out-of-range pages show the last."""

HAZARD_PLAN_FIX = "hazard.plan_fix"
"""An admin asks for a plan that fixes a hazard; it goes for approval like any plan."""

HAZARD_PAGE = "hazard.page"
"""Another page of the open hazards."""

ACTION_IDS: frozenset[str] = frozenset(
    {CALLERID_PICK, CALLERID_REFRESH, HAZARD_PLAN_FIX, HAZARD_PAGE}
)
"""Every action id a card may carry; the bot's ACTION_HANDLERS must cover all of them."""
