"""The set-up flow without botbuilder: authorise, check the card is current, act, redraw.

Every action is authorised again (an admin, the one who started it), checked against the step
and revision its card was drawn from (a skipped step or an old card changes nothing), and
answered with the card of the step the admin is now on.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cards import actions as ids
from cards.elements import card, execute, text_block
from cards.requests import request_card
from cards.setup.inputs import ATTEST_PREFIX, JUSTIFICATION, TELL_PEOPLE
from cards.setup.review_mappers import status_view, submitted_notice
from cards.setup.status import status_card
from cards.setup.views import DownloadLink, Step
from dialogs.answer import Answer
from dialogs.setup_actions import BACK, Result, StepActions, text_of
from dialogs.setup_render import PAGED_LISTS, Hints, SetupRenderer
from dialogs.setup_state import FlowState
from sharedcalling.domain.access import Principal
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.services import Services
from sharedcalling.services.notices import Notice, Tone
from sharedcalling.services.setup import EXPORT_FORMATS, CardLocation
from sharedcalling.services.setup.submit import PlanChanged
from sharedcalling.services.unit_of_work import UsersLocked

logger = logging.getLogger(__name__)

NOT_ADMIN_TEXT = (
    "Only Shared Calling admins can set up Shared Calling: members of the admin group, or "
    "holders of the Teams Administrator or Teams Communications Administrator role. Ask one of "
    "them, or ask me \u201cwhich number do I call out as?\u201d."
)
NOT_YOURS_TEXT = (
    "This set-up belongs to someone else; start your own with \u201cset up shared calling\u201d."
)
CANCELLED_TEXT = "Set-up cancelled. Nothing was submitted and nothing in Teams was changed."
STEP_ACTIONS: Mapping[str, frozenset[Step]] = {
    ids.SETUP_ADD_USERS: frozenset({Step.USERS}),
    ids.SETUP_REMOVE_USERS: frozenset({Step.USERS}),
    ids.SETUP_CLEAR_USERS: frozenset({Step.USERS}),
    ids.SETUP_ADD_NUMBERS: frozenset({Step.NUMBERS}),
    ids.SETUP_NUMBER_UP: frozenset({Step.NUMBERS}),
    ids.SETUP_NUMBER_REMOVE: frozenset({Step.NUMBERS}),
    ids.SETUP_EXPORT: frozenset({Step.REVIEW}),
    ids.SETUP_SUBMIT: frozenset({Step.REVIEW}),
}


@dataclass(frozen=True, slots=True)
class SetupTurn:
    principal: Principal
    verb: str
    data: Mapping[str, Any]
    now: datetime
    card: CardLocation | None = None
    """Where the clicked card is (its conversation and activity id), when Teams says."""


@dataclass(frozen=True, slots=True)
class Outcome:
    state: FlowState | None
    """None: the set-up has ended (cancelled, submitted or expired)."""
    answer: Answer


def ended_card(text: str) -> dict[str, Any]:
    return card(text_block(text), actions=[execute("Start a new set-up", ids.SETUP_START)])


class SetupFlow:
    def __init__(self, services: Services, public_url: str) -> None:
        self._services = services
        self._actions = StepActions(services)
        self._renderer = SetupRenderer(services)
        self._public_url = public_url.rstrip("/")

    async def begin(self, turn: SetupTurn, notice: Notice | None = None) -> Outcome:
        if not turn.principal.is_admin:
            return Outcome(None, Answer(NOT_ADMIN_TEXT))
        state = FlowState.new(turn.principal.user_id, turn.now)
        return await self._draw(state, Hints(notice=notice), "Let's set up Shared Calling.")

    async def resume(self, state: FlowState, turn: SetupTurn) -> Outcome:
        """ "set up shared calling" while a set-up is open: where the admin left it."""
        refused = self._refusal(state, turn)
        if refused is not None:
            return refused
        when = state.started_at.strftime("%Y-%m-%d %H:%M UTC")
        notice = Notice(
            f"Welcome back: your set-up from {when} continues here. Cancel it to start over.",
            Tone.INFO,
        )
        return await self._draw(state, Hints(notice=notice), "Your set-up continues here.")

    async def handle(self, state: FlowState, turn: SetupTurn) -> Outcome:
        refused = self._refusal(state, turn)
        if refused is not None:
            return refused
        if turn.verb == ids.SETUP_CANCEL:
            logger.info("Set-up cancelled at step %s", state.step.value)
            return Outcome(None, Answer(CANCELLED_TEXT, ended_card(CANCELLED_TEXT)))
        if turn.verb in (ids.SETUP_START, ids.SETUP_REFRESH):
            return await self._draw(state, Hints(), "")
        stale = self._stale(state, turn)
        if stale is not None:
            return await self._draw(state, Hints(notice=stale), "")
        try:
            return await self._act(state, turn)
        except PlanChanged as changed:
            return await self._draw(state, Hints(Notice(str(changed), Tone.ATTENTION)), "")
        except UsersLocked as locked:
            notice = Notice(
                str(locked), Tone.ATTENTION, ("Remove them, or wait for that request.",)
            )
            return await self._draw(state, Hints(notice=notice), "")
        except InvalidInput as bad:
            hints = Hints(
                Notice(str(bad), Tone.ATTENTION),
                justification=_justification(turn),
                tell_people=_tell_people(turn),
            )
            return await self._draw(state, hints, str(bad))

    def _refusal(self, state: FlowState, turn: SetupTurn) -> Outcome | None:
        if not turn.principal.is_admin:
            return Outcome(state, Answer(NOT_ADMIN_TEXT))
        if not state.owned_by(turn.principal.user_id):
            return Outcome(state, Answer(NOT_YOURS_TEXT))
        if turn.now - state.touched_at > self._services.setup_expiry:
            hours = self._services.setup_expiry.total_seconds() / 3600
            text = (
                f"This set-up expired: nobody touched it for {hours:g} hours, so its choices "
                "were forgotten. Nothing was submitted."
            )
            return Outcome(None, Answer(text, ended_card(text)))
        return None

    @staticmethod
    def _stale(state: FlowState, turn: SetupTurn) -> Notice | None:
        step, revision = turn.data.get(ids.STEP), turn.data.get(ids.REVISION)
        if step != state.step.value:
            return Notice(
                "That card is not the step you are on, so nothing was changed; here is where "
                "you are.",
                Tone.WARNING,
            )
        if revision != state.revision:
            return Notice("That card was out of date, so nothing was changed.", Tone.WARNING)
        allowed = STEP_ACTIONS.get(turn.verb)
        if allowed is not None and state.step not in allowed:
            return Notice("That action is not part of this step.", Tone.WARNING)
        return None

    async def _act(self, state: FlowState, turn: SetupTurn) -> Outcome:
        verb, data = turn.verb, turn.data
        if verb == ids.SETUP_SUBMIT:
            return await self._submit(state, turn)
        if verb == ids.SETUP_EXPORT:
            return await self._export(state, turn)
        result = await self._step_action(state, verb, data)
        moved, notice = result
        return await self._draw(moved.touched(turn.now), Hints(notice=notice), "")

    async def _step_action(self, state: FlowState, verb: str, data: Mapping[str, Any]) -> Result:
        act = self._actions
        if verb == ids.SETUP_NEXT:
            return await act.next(state, data)
        if verb == ids.SETUP_BACK and state.step in BACK:
            return state.moved(step=BACK[state.step]), None
        if verb == ids.SETUP_PAGE:
            return await self._page(state, data)
        if verb == ids.SETUP_ADD_USERS:
            return await act.add_users(state, data)
        if verb in (ids.SETUP_REMOVE_USERS, ids.SETUP_CLEAR_USERS):
            return await act.remove_users(state, data, everyone=verb == ids.SETUP_CLEAR_USERS)
        if verb == ids.SETUP_ADD_NUMBERS:
            return await act.add_numbers(state, data)
        if verb in (ids.SETUP_NUMBER_UP, ids.SETUP_NUMBER_REMOVE):
            return await act.move_number(state, data, remove=verb == ids.SETUP_NUMBER_REMOVE)
        raise InvalidInput("That action is not part of this step.")

    async def _page(self, state: FlowState, data: Mapping[str, Any]) -> Result:
        """Another page of the step's list: only a page the card could have offered (a forged
        number is refused, not clamped, so the state stays as it was)."""
        name, page = text_of(data, ids.LIST), data.get(ids.PAGE)
        if PAGED_LISTS.get(name) is not state.step:
            raise InvalidInput("This step has no such list, so nothing was changed.")
        count = await self._renderer.page_count(state, name)
        # bool is an int in Python, and a JSON true is no page number.
        if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= count:
            raise InvalidInput(f"That page does not exist: the pages run from 1 to {count}.")
        return state.moved(pages={**state.pages, name: page}), None

    async def _export(self, state: FlowState, turn: SetupTurn) -> Outcome:
        fmt = text_of(turn.data, ids.FORMAT)
        if fmt not in EXPORT_FORMATS:
            raise InvalidInput("Exports come as PowerShell (ps1) or JSON.")
        token, filename = await self._services.setup.export(state.draft, turn.principal, fmt)
        minutes = self._services.export_link_lifetime.total_seconds() / 60
        link = DownloadLink(
            url=f"{self._public_url}/exports/{token}",
            filename=filename,
            note=(
                f"The link works once, for {minutes:g} minutes: whoever opens it first gets the "
                "file, so do not forward it."
            ),
        )
        moved = state.moved().touched(turn.now)
        hints = Hints(
            download=link, justification=_justification(turn), tell_people=_tell_people(turn)
        )
        return await self._draw(moved, hints, "")

    async def _submit(self, state: FlowState, turn: SetupTurn) -> Outcome:
        data = turn.data
        attested = [
            key.removeprefix(ATTEST_PREFIX)
            for key, value in data.items()
            if key.startswith(ATTEST_PREFIX) and value in (True, "true")
        ]
        request = await self._services.setup.submit(
            state.draft,
            turn.principal,
            reviewed_fingerprint=text_of(data, ids.FINGERPRINT),
            justification=text_of(data, JUSTIFICATION),
            attested=attested,
            card=turn.card,
            tell_people=_tell_people(turn),
        )
        logger.info("Set-up submitted as request %s", request.id)
        # The clicked card becomes the requester's copy of the request card (recorded as such
        # by submit), so every later decision updates it in place.
        notice = Notice(f"Submitted as request {request.id}.", Tone.GOOD)
        view = await self._services.approvals.view(turn.principal, request.id, notice=notice)
        card_body = (
            request_card(view)
            if view is not None
            else status_card(status_view(request, submitted_notice(request)))
        )
        return Outcome(None, Answer(f"Submitted as request {request.id}.", card_body))

    async def _draw(self, state: FlowState, hints: Hints, text: str) -> Outcome:
        return Outcome(state, Answer(text, await self._renderer.render(state, hints)))


def _justification(turn: SetupTurn) -> str:
    return text_of(turn.data, JUSTIFICATION)[:1000]


def _tell_people(turn: SetupTurn) -> bool:
    """The review's toggle: on unless it came back switched off (a missing value is on)."""
    return turn.data.get(TELL_PEOPLE) not in (False, "false")
