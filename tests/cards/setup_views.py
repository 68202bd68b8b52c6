"""Views of every set-up card, built by the real use cases on the emulated demo tenant."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cards.setup.mappers import (
    accounts_view,
    assignment_view,
    fix_view,
    numbers_view,
    policy_view,
)
from cards.setup.review_mappers import review_view, status_view, users_view
from cards.setup.views import DownloadLink, Step, StepFrame
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.requests import ChangeRequest, RequestKind, RequestState
from sharedcalling.domain.tenant import PolicyRef, PolicyType
from sharedcalling.services.notices import Notice, Tone
from sharedcalling.services.ports import SnapshotScope
from sharedcalling.services.setup import accounts, assignment, numbers, policies, selection
from sharedcalling.services.setup.draft import SetupDraft
from sharedcalling.services.setup.review import SetupReview, review_setup
from sharedcalling.services.unit_of_work import (
    LockRepository,
    UnitOfWork,
    UnitOfWorkFactory,
)

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
RA_MAINLINE = UserId("00000000-0000-4000-8000-000000000051")
RA_BERLIN = UserId("00000000-0000-4000-8000-000000000053")
VOICE_APPROVERS = "00000000-0000-4000-a000-000000000002"
DIEGO = UserId("00000000-0000-4000-8000-000000000005")
PRADEEP = UserId("00000000-0000-4000-8000-000000000012")
NUMBERS = ("+14255550193", "+14255550194")
ANSWERS = (
    ("Resource account", "Contoso Main Line (+1\u00a0425\u2011555\u20110100)"),
    ("Policy", "Redmond (new)"),
)
DRAFT = SetupDraft(
    resource_account_id=RA_MAINLINE,
    policy_name="Redmond",
    policy_is_new=True,
    emergency_numbers=NUMBERS,
    user_ids=(DIEGO, PRADEEP),
)


class _NoLocks(LockRepository):
    async def acquire(self, tenant_id: Any, request_id: Any, user_ids: Any) -> None: ...

    async def release(self, tenant_id: Any, request_id: Any) -> None: ...

    async def holders(self, tenant_id: Any, user_ids: Collection[UserId]) -> dict[Any, Any]:
        return {}


class _ReadOnlyWork(UnitOfWork):
    locks = _NoLocks()

    async def _begin(self) -> None: ...

    async def _end(self) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class NoOpenRequests(UnitOfWorkFactory):
    """A store holding no request: nobody is locked."""

    def __call__(self) -> UnitOfWork:
        return _ReadOnlyWork()


def frame(step: Step, revision: int = 3, notice: Notice | None = None) -> StepFrame:
    shown = {Step.ACCOUNT: (), Step.FIX: (), Step.POLICY: ANSWERS[:1]}.get(step, ANSWERS)
    return StepFrame(step, revision, shown, notice)


async def accounts_card_view(tenant: EmulatedTenantGateway) -> Any:
    choices = await accounts.list_accounts(tenant=tenant)
    return accounts_view(frame(Step.ACCOUNT, 0), choices, 1, None)


async def fix_card_view(tenant: EmulatedTenantGateway) -> Any:
    """ra-mainline as it would be without an emergency location (SC-R04 to choose)."""
    snapshot = await tenant.snapshot(SnapshotScope())
    number = snapshot.numbers["+14255550100"]
    unlocated = replace(
        snapshot,
        numbers={**snapshot.numbers, number.telephone_number: replace(number, location_id=None)},
    )
    account = unlocated.users[RA_MAINLINE]
    choice = accounts.account_choice(unlocated, account, {})
    offered = await accounts.fix_choices(unlocated, tenant, choice.country)
    return fix_view(frame(Step.FIX, 1), choice, offered)


async def vrp_fix_card_view(tenant: EmulatedTenantGateway) -> Any:
    """Contoso Berlin (Direct Routing) granted NoPSTN, a policy without PSTN usages: usable
    once the plan grants it one that has them (SC-R08)."""
    snapshot = await tenant.snapshot(SnapshotScope())
    berlin = replace(
        snapshot.users[RA_BERLIN],
        direct_policies=(PolicyRef(PolicyType.VOICE_ROUTING, "NoPSTN"),),
    )
    unrouted = replace(snapshot, users={**snapshot.users, RA_BERLIN: berlin})
    choice = accounts.account_choice(unrouted, berlin, {})
    offered = await accounts.fix_choices(unrouted, tenant, choice.country)
    return fix_view(frame(Step.FIX, 1), choice, offered)


async def policy_card_view(tenant: EmulatedTenantGateway) -> Any:
    choices = await policies.policy_choices(RA_MAINLINE, tenant=tenant)
    return policy_view(frame(Step.POLICY, 1), "Contoso Main Line", choices, None, None)


async def numbers_card_view(tenant: EmulatedTenantGateway, chosen: Sequence[str] = NUMBERS) -> Any:
    options = await numbers.emergency_options(RA_MAINLINE, "Redmond", chosen, tenant=tenant)
    return numbers_view(frame(Step.NUMBERS), options)


async def review_of(tenant: EmulatedTenantGateway, draft: SetupDraft = DRAFT) -> SetupReview:
    return await review_setup(draft, tenant_id=TENANT, tenant=tenant, uow=NoOpenRequests())


async def users_card_view(tenant: EmulatedTenantGateway, draft: SetupDraft = DRAFT) -> Any:
    review = await review_of(tenant, draft)
    people = await selection.suggest_people(tenant=tenant)
    groups = await selection.suggest_groups(tenant=tenant)
    notice = Notice("Added 2.", Tone.GOOD, ("1 were already chosen.",))
    return users_view(
        frame(Step.USERS, notice=notice),
        review,
        len(draft.user_ids),
        1,
        people=people,
        groups=groups,
    )


async def assignment_card_view(tenant: EmulatedTenantGateway) -> Any:
    options = await assignment.assignment_options(None, tenant=tenant)
    groups = await selection.suggest_groups(tenant=tenant)
    return assignment_view(
        frame(Step.ASSIGNMENT), options, group_mode=False, group=None, rank=None, groups=groups
    )


async def group_assignment_card_view(tenant: EmulatedTenantGateway) -> Any:
    """Step 5 in group mode, as Back from the review draws it: Voice Approvers at rank 1."""
    options = await assignment.assignment_options(None, tenant=tenant)
    groups = await selection.suggest_groups(tenant=tenant)
    return assignment_view(
        frame(Step.ASSIGNMENT),
        options,
        group_mode=True,
        group=("Voice Approvers", VOICE_APPROVERS),
        rank=1,
        groups=groups,
    )


async def review_card_view(tenant: EmulatedTenantGateway, draft: SetupDraft = DRAFT) -> Any:
    return review_view(frame(Step.REVIEW, 7), await review_of(tenant, draft), 1)


EXPIRED_TEXT = (
    "This set-up expired: nobody touched it for 72 hours, so its choices were forgotten. "
    "Nothing was submitted."
)
"""What the flow says on the next action after 72 untouched hours (the default
SETUP_EXPIRY_HOURS); tests/dialogs/test_setup_flow.py checks the flow says exactly this."""


DOWNLOAD = DownloadLink(
    url="http://127.0.0.1:3978/exports/" + "A" * 43,
    filename="shared-calling-plan-0123456789ab.ps1",
    note=(
        "The link works once, for 10 minutes: whoever opens it first gets the file, so do not "
        "forward it."
    ),
)
"""A download link as the flow makes it (dialogs/setup_flow.py, `_export`)."""


async def review_with_download_view(tenant: EmulatedTenantGateway) -> Any:
    """The review after "PowerShell script": the link, and what Megan had typed kept."""
    return review_view(
        frame(Step.REVIEW, 8),
        await review_of(tenant),
        1,
        download=DOWNLOAD,
        justification="Pilot of Shared Calling for two new hires",
        tell_people=False,
    )


def submitted_request() -> ChangeRequest:
    at = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    return ChangeRequest(
        id=RequestId("SC-7K2M9QF4"),
        tenant_id=TENANT,
        kind=RequestKind.SETUP,
        state=RequestState.PENDING,
        requester_id=UserId("00000000-0000-4000-8000-000000000001"),
        requester_name="Megan Bowen",
        justification="Pilot of Shared Calling for two new hires",
        fingerprint="sha256:" + "0" * 64,
        created_at=at,
        updated_at=at,
        expires_at=datetime(2026, 11, 30, 9, 30, tzinfo=UTC),
        user_ids=(DIEGO, PRADEEP),
        desired={"policy_name": "Redmond"},
    )


def status_card_view() -> Any:
    return status_view(submitted_request(), Notice("Submitted as request SC-7K2M9QF4.", Tone.GOOD))


def big_tenant(tmp_path: Path, people: int = 5100) -> EmulatedTenantGateway:
    """The demo tenant with `people` generated employees (tenant file `generated_users`)."""
    import json

    from sharedcalling.adapters.tenant.seeds import __file__ as seeds

    document = json.loads((Path(seeds).parent / "contoso.json").read_text(encoding="utf-8"))
    document["generated_users"]["count"] = people
    path = tmp_path / "big-tenant.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return EmulatedTenantGateway.seeded(str(path))


def generated(n: int) -> UserId:
    return UserId(f"00000000-0000-4000-9000-{n:012d}")
