"""What each set-up action does to the state: read the card's inputs, call one use case.

Every value comes back from the card and is checked again by the use case; an InvalidInput
leaves the state as it was (the flow shows the message on the same step).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from cards.actions import NUMBER
from cards.setup import inputs
from cards.setup.views import Step
from cards.text import phone
from dialogs.setup_state import FlowState
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.domain.ids import UserId
from sharedcalling.services import Services
from sharedcalling.services.notices import Notice, Tone
from sharedcalling.services.setup import numbers as numbering
from sharedcalling.services.setup.draft import SetupDraft
from sharedcalling.services.setup.selection import SelectionReport, remove_from_selection

Data = Mapping[str, Any]
Result = tuple[FlowState, Notice | None]

BACK: Mapping[Step, Step] = {
    Step.FIX: Step.ACCOUNT,
    Step.POLICY: Step.ACCOUNT,
    Step.NUMBERS: Step.POLICY,
    Step.USERS: Step.NUMBERS,
    Step.ASSIGNMENT: Step.USERS,
    Step.REVIEW: Step.ASSIGNMENT,
}


def text_of(data: Data, key: str) -> str:
    value = data.get(key)
    if isinstance(value, bool) or value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value)


def list_of(data: Data, key: str) -> list[str]:
    """A multi-select ChoiceSet's value: the chosen values joined by commas."""
    return [part.strip() for part in text_of(data, key).split(",") if part.strip()]


class StepActions:
    def __init__(self, services: Services) -> None:
        self._setup = services.setup

    async def next(self, state: FlowState, data: Data) -> Result:
        match state.step:
            case Step.ACCOUNT:
                return await self._account(state, data)
            case Step.FIX:
                return await self._fix(state, data)
            case Step.POLICY:
                return await self._policy(state, data)
            case Step.NUMBERS:
                return await self._numbers_done(state)
            case Step.USERS:
                return await self._users_done(state, data)
            case Step.ASSIGNMENT:
                return await self._assignment(state, data)
            case Step.REVIEW:
                raise InvalidInput("Use Submit for approval to send the plan.")

    async def _account(self, state: FlowState, data: Data) -> Result:
        picked = text_of(data, inputs.ACCOUNT)
        if not picked:
            raise InvalidInput("Pick the resource account whose number people will show.")
        choice = await self._setup.account(UserId(picked))
        draft = state.draft.with_account(choice.account.id, None, None)
        label = _account_label(choice.account.display_name, choice.numbers)
        needs = choice.assessment.needs_location or choice.assessment.needs_vrp
        step = Step.FIX if needs else Step.POLICY
        return state.moved(step=step, draft=draft, labels=state.with_label("account", label)), None

    async def _fix(self, state: FlowState, data: Data) -> Result:
        account = _required(state.draft.resource_account_id, "a resource account")
        location = text_of(data, inputs.LOCATION) or text_of(data, inputs.LOCATION_TYPED)
        vrp = text_of(data, inputs.VRP)
        choice, location_id, policy = await self._setup.check_account(
            account, location or None, vrp or None
        )
        draft = state.draft.with_account(choice.account.id, location_id, policy)
        return state.moved(step=Step.POLICY, draft=draft), None

    async def _policy(self, state: FlowState, data: Data) -> Result:
        account = _required(state.draft.resource_account_id, "a resource account")
        reuse, new_name = text_of(data, inputs.POLICY_REUSE), text_of(data, inputs.POLICY_NEW)
        name, is_new = await self._setup.check_policy(account, reuse or None, new_name or None)
        draft = state.draft.with_policy(name, is_new=is_new)
        if draft.emergency_numbers is None:
            kept = await self._current_numbers(account, name) if not is_new else ()
            draft = replace(draft, emergency_numbers=kept)
        label = f"{name} (new)" if is_new else f"{name} (existing)"
        labels = {**state.with_label("policy", label), "numbers": _numbers_label(draft)}
        return state.moved(step=Step.NUMBERS, draft=draft, labels=labels), None

    async def _current_numbers(self, account: UserId, name: str) -> tuple[str, ...]:
        choices = await self._setup.policy_choices(account)
        policy = next(p for p in choices.reusable if p.name == name)
        return tuple(policy.emergency_numbers)

    async def add_numbers(self, state: FlowState, data: Data) -> Result:
        picked = list_of(data, inputs.NUMBERS_PICK)
        numbers = await self._setup.add_numbers(
            state.draft, picked, text_of(data, inputs.NUMBERS_TYPED)
        )
        return self._with_numbers(state, numbers), None

    async def move_number(self, state: FlowState, data: Data, *, remove: bool) -> Result:
        current = state.draft.emergency_numbers or ()
        wanted = text_of(data, NUMBER)
        moved = numbering.remove(current, wanted) if remove else numbering.move_up(current, wanted)
        return self._with_numbers(state, moved), None

    def _with_numbers(self, state: FlowState, numbers: tuple[str, ...]) -> FlowState:
        draft = replace(state.draft, emergency_numbers=numbers)
        labels = {**state.labels, "numbers": _numbers_label(draft)}
        return state.moved(draft=draft, labels=labels)

    async def _numbers_done(self, state: FlowState) -> Result:
        await self._setup.check_numbers(state.draft)
        draft = replace(state.draft, emergency_numbers=state.draft.emergency_numbers or ())
        return state.moved(step=Step.USERS, draft=draft), None

    async def add_users(self, state: FlowState, data: Data) -> Result:
        selected, report, group = await self._setup.add_to_selection(
            state.draft.user_ids,
            list_of(data, inputs.PEOPLE),
            text_of(data, inputs.GROUP) or None,
            text_of(data, inputs.PASTE),
        )
        draft = replace(state.draft, user_ids=selected)
        labels = dict(state.labels)
        if group is not None:
            draft = replace(draft, users_group_id=group.id)
            labels["group"] = group.display_name
        return state.moved(draft=draft, labels=labels), _report_notice(report)

    async def remove_users(self, state: FlowState, data: Data, *, everyone: bool) -> Result:
        draft = state.draft
        if everyone:
            remaining: tuple[UserId, ...] = ()
        else:
            remaining = remove_from_selection(draft.user_ids, list_of(data, inputs.REMOVE))
        kept_marks = tuple(u for u in draft.extension_dialing_user_ids if u in remaining)
        draft = replace(draft, user_ids=remaining, extension_dialing_user_ids=kept_marks)
        removed = len(state.draft.user_ids) - len(remaining)
        notice = Notice(f"Removed {removed:,} from the selection.", Tone.GOOD)
        return state.moved(draft=draft), notice

    async def _users_done(self, state: FlowState, data: Data) -> Result:
        draft = state.draft
        if not draft.user_ids:
            raise InvalidInput("Choose at least one person: search, pick a group or paste a list.")
        marked = list_of(data, inputs.EXTENSION)
        candidates = {u.id for u in await self._setup.extension_candidates(draft.user_ids)}
        if not set(marked) <= candidates:
            raise InvalidInput(
                "Only chosen people with a Direct Routing extension number can keep it (SC-U06)."
            )
        draft = replace(draft, extension_dialing_user_ids=tuple(UserId(u) for u in marked))
        return state.moved(step=Step.ASSIGNMENT, draft=draft), None

    async def _assignment(self, state: FlowState, data: Data) -> Result:
        mode = text_of(data, inputs.ASSIGN_MODE) or inputs.MODE_PER_USER
        if mode not in (inputs.MODE_PER_USER, inputs.MODE_GROUP):
            raise InvalidInput("Choose how the policy is assigned: to each person or to a group.")
        if mode == inputs.MODE_PER_USER:
            draft = replace(state.draft, group_id=None, group_rank=None)
            labels = state.with_label("assignment", "to each person directly")
            return state.moved(step=Step.REVIEW, draft=draft, labels=labels, group_mode=False), None
        group, rank = await self._setup.check_group_assignment(
            text_of(data, inputs.ASSIGN_GROUP), data.get(inputs.RANK)
        )
        draft = replace(state.draft, group_id=group.id, group_rank=rank)
        labels = {
            **state.labels,
            "group": group.display_name,
            "assignment": f"group {group.display_name}, rank {rank}",
        }
        return state.moved(step=Step.REVIEW, draft=draft, labels=labels, group_mode=True), None


def _required(value: UserId | None, what: str) -> UserId:
    if value is None:
        raise InvalidInput(f"Choose {what} first.")
    return value


def _account_label(name: str, numbers: tuple[Any, ...]) -> str:
    return f"{name} ({phone(numbers[0].telephone_number)})" if numbers else name


def _numbers_label(draft: SetupDraft) -> str:
    numbers = draft.emergency_numbers or ()
    return ", ".join(phone(n) for n in numbers) if numbers else "none"


def _report_notice(report: SelectionReport) -> Notice:
    lines = []
    if report.group_name is not None:
        lines.append(
            f"Group {report.group_name}: {report.group_members:,} direct members."
            + (
                f" Its {report.group_nested} nested groups were not added (only direct "
                "members receive a group's policy)."
                if report.group_nested
                else ""
            )
        )
    if report.already_selected:
        lines.append(f"{report.already_selected:,} were already chosen.")
    if report.duplicates:
        shown = ", ".join(report.duplicates[:10])
        lines.append(f"Listed more than once (added once): {shown}.")
    return Notice(f"Added {report.added:,}.", Tone.GOOD, tuple(lines))
