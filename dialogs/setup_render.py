"""Draw the set-up's current step: one use case for the data, one card function for the card."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cards.setup.accounts import accounts_card, fix_card
from cards.setup.assignment import assignment_card
from cards.setup.mappers import (
    ACCOUNTS_PER_PAGE,
    PEOPLE_PER_PAGE,
    accounts_view,
    assignment_view,
    fix_view,
    numbers_view,
    page_count,
    policy_view,
)
from cards.setup.numbers import numbers_card
from cards.setup.policy import policy_card
from cards.setup.review import review_card
from cards.setup.review_mappers import REVIEW_PER_PAGE, review_view, users_view
from cards.setup.users import users_card
from cards.setup.views import DownloadLink, Step, StepFrame
from dialogs.setup_state import FlowState
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.domain.ids import UserId
from sharedcalling.services import Services
from sharedcalling.services.notices import Notice
from sharedcalling.services.setup import SetupDraft

Card = dict[str, Any]

PAGED_LISTS: dict[str, Step] = {
    "accounts": Step.ACCOUNT,
    "users": Step.USERS,
    "review": Step.REVIEW,
}
"""The lists a card pages through, and the step whose card shows each."""


@dataclass(frozen=True, slots=True)
class Hints:
    """What one response shows beside the state: a notice, a download link, typed text."""

    notice: Notice | None = None
    download: DownloadLink | None = None
    justification: str = ""
    tell_people: bool = True


def answers(state: FlowState) -> tuple[tuple[str, str], ...]:
    """The answers of the steps before the current one, as facts."""
    draft, number = state.draft, state.step.number
    facts: list[tuple[str, str]] = []
    if number > 1 and "account" in state.labels:
        facts.append(("Resource account", state.labels["account"]))
    if number > 2 and "policy" in state.labels:
        facts.append(("Policy", state.labels["policy"]))
    if number > 3:
        facts.append(("Emergency numbers", state.labels.get("numbers", "none")))
    if number > 4:
        facts.append(("People", f"{len(draft.user_ids):,}"))
    if number > 5:
        facts.append(("Assigned", state.labels.get("assignment", "to each person")))
    return tuple(facts)


class SetupRenderer:
    def __init__(self, services: Services) -> None:
        self._setup = services.setup

    async def render(self, state: FlowState, hints: Hints) -> Card:
        frame = StepFrame(state.step, state.revision, answers(state), hints.notice)
        draft = state.draft
        match state.step:
            case Step.ACCOUNT:
                choices = await self._setup.list_accounts()
                selected = draft.resource_account_id
                return accounts_card(
                    accounts_view(frame, choices, state.page("accounts"), selected)
                )
            case Step.FIX:
                choice = await self._setup.account(_account(draft))
                offered = await self._setup.fix_choices(choice.country)
                return fix_card(fix_view(frame, choice, offered))
            case Step.POLICY:
                return await self._policy(frame, state)
            case Step.NUMBERS:
                options = await self._setup.emergency_options(
                    _account(draft), _policy(draft), draft.emergency_numbers or ()
                )
                return numbers_card(numbers_view(frame, options))
            case Step.USERS:
                return await self._users(frame, state)
            case Step.ASSIGNMENT:
                return await self._assignment(frame, state)
            case Step.REVIEW:
                review = await self._setup.review(draft)
                view = review_view(
                    frame,
                    review,
                    state.page("review"),
                    download=hints.download,
                    justification=hints.justification,
                    tell_people=hints.tell_people,
                )
                return review_card(view)

    async def page_count(self, state: FlowState, list_name: str) -> int:
        """How many pages the list `list_name` of the current step has now."""
        if list_name == "accounts":
            return page_count(len(await self._setup.list_accounts()), ACCOUNTS_PER_PAGE)
        # One row per chosen person (the users step and the review list the same people).
        size = PEOPLE_PER_PAGE if list_name == "users" else REVIEW_PER_PAGE
        return page_count(len(state.draft.user_ids), size)

    async def _policy(self, frame: StepFrame, state: FlowState) -> Card:
        draft = state.draft
        choices = await self._setup.policy_choices(_account(draft))
        reused = None if draft.policy_is_new else draft.policy_name
        new_name = draft.policy_name if draft.policy_is_new else None
        account = state.labels.get("account", "the resource account")
        return policy_card(policy_view(frame, account, choices, reused, new_name))

    async def _users(self, frame: StepFrame, state: FlowState) -> Card:
        draft = state.draft
        review = await self._setup.review(draft) if draft.user_ids else None
        candidates = await self._setup.extension_candidates(draft.user_ids)
        people, groups = await self._setup.suggestions()
        view = users_view(
            frame,
            review,
            len(draft.user_ids),
            state.page("users"),
            candidates,
            draft.extension_dialing_user_ids,
            people=people,
            groups=groups,
        )
        return users_card(view)

    async def _assignment(self, frame: StepFrame, state: FlowState) -> Card:
        draft = state.draft
        options = await self._setup.assignment_options(draft)
        group = None
        if draft.group_id is not None:
            group = (state.labels.get("group", draft.group_id), draft.group_id)
        _people, groups = await self._setup.suggestions()
        view = assignment_view(
            frame,
            options,
            group_mode=state.group_mode,
            group=group,
            rank=draft.group_rank,
            groups=groups,
        )
        return assignment_card(view)


def _account(draft: SetupDraft) -> UserId:
    if draft.resource_account_id is None:
        raise InvalidInput("Choose a resource account first.")
    return draft.resource_account_id


def _policy(draft: SetupDraft) -> str:
    if draft.policy_name is None:
        raise InvalidInput("Choose or name a Shared Calling policy first.")
    return draft.policy_name
