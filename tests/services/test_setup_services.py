"""The set-up's use cases on their own: every value from a card is checked again."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from sharedcalling.adapters.store.export_links_repo import SqlExportLinkStore
from sharedcalling.adapters.store.uow import SqlUnitOfWorkFactory
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.access import Principal, Role
from sharedcalling.domain.errors import InvalidInput, NotPermitted
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.domain.requests import RequestState
from sharedcalling.services.export_links import create_export_link
from sharedcalling.services.ports import Clock
from sharedcalling.services.setup import assignment, numbers, selection
from sharedcalling.services.setup.draft import SetupDraft
from sharedcalling.services.setup.review import review_setup
from sharedcalling.services.setup.submit import PlanChanged, submit_setup
from tests.cards.setup_views import DRAFT, generated
from tests.db import database_url, store_engine  # noqa: F401  (fixtures)
from tests.demo_ids import DIEGO, SEATTLE_FLOOR_2

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
MEGAN = Principal(
    TENANT, UserId("00000000-0000-4000-8000-000000000001"), "Megan Bowen", frozenset({Role.ADMIN})
)
ALEX = Principal(TENANT, UserId("00000000-0000-4000-8000-000000000002"), "Alex Wilber")


class FixedClock(Clock):
    def now(self) -> datetime:
        return datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def tenant() -> EmulatedTenantGateway:
    return EmulatedTenantGateway.seeded()


def test_pasted_lists_split_on_lines_commas_and_semicolons_and_read_outlook_addresses() -> None:
    pasted = "DiegoS@contoso.example\r\nPradeep Gupta <PradeepG@contoso.example>; a@b.c,,\n  "
    assert selection.split_entries(pasted) == [
        "DiegoS@contoso.example", "PradeepG@contoso.example", "a@b.c"]  # fmt: skip


async def test_a_selection_never_grows_beyond_5000(tenant: EmulatedTenantGateway) -> None:
    current = tuple(generated(n) for n in range(1, 4999))
    three = "DiegoS@contoso.example, PradeepG@contoso.example, LeeG@contoso.example"
    with pytest.raises(InvalidInput, match="That would make 5,001 people"):
        await selection.add_to_selection(current, pasted=three, tenant=tenant)
    grown, report, _group = await selection.add_to_selection(
        current, pasted="DiegoS@contoso.example, PradeepG@contoso.example", tenant=tenant
    )
    assert (len(grown), report.added) == (5000, 2)


async def test_a_group_adds_its_direct_members_once(tenant: EmulatedTenantGateway) -> None:
    grown, report, group = await selection.add_to_selection(
        (UserId("00000000-0000-4000-8000-000000000008"),), group_id=SEATTLE_FLOOR_2, tenant=tenant
    )
    assert group is not None
    assert (report.added, report.already_selected, report.group_members) == (1, 1, 2)
    assert len(grown) == 2


def test_removing_someone_not_chosen_is_refused() -> None:
    with pytest.raises(InvalidInput, match="Only people in your selection"):
        selection.remove_from_selection((DIEGO,), [DIEGO, "someone-else"])
    assert selection.remove_from_selection((DIEGO,), [DIEGO.upper()]) == ()


async def test_search_pages_are_bounded(tenant: EmulatedTenantGateway) -> None:
    page = await selection.search_people("Contoso Employee", skip=-5, top=500, tenant=tenant)
    assert len(page) == selection.MAX_SEARCH_RESULTS
    assert await selection.search_people("   ", tenant=tenant) == []
    far = await selection.search_people("Contoso Employee", skip=10_000, tenant=tenant)
    assert far[0].display_name == "Contoso Employee 0501"  # skip capped at 500


def test_numbers_move_up_and_out_in_the_admins_order() -> None:
    order = ("+14255550193", "+14255550194", "+14255550195")
    assert numbers.move_up(order, "+14255550195") == (
        "+14255550193",
        "+14255550195",
        "+14255550194",
    )
    assert numbers.move_up(order, "+14255550193") == order
    assert numbers.remove(order, "+14255550194") == ("+14255550193", "+14255550195")
    with pytest.raises(InvalidInput):
        numbers.move_up(order, "+14255550199")


async def test_a_rank_must_fit_the_groups_already_assigned(tenant: EmulatedTenantGateway) -> None:
    group, rank = await assignment.check_group_assignment(SEATTLE_FLOOR_2, None, tenant=tenant)
    assert (group.id, rank) == (SEATTLE_FLOOR_2, 1)  # its own assignment is replaced
    pilot = "00000000-0000-4000-a000-000000000001"
    assert (await assignment.check_group_assignment(pilot, "2", tenant=tenant))[1] == 2
    for bad in ("0", "3", "x"):
        with pytest.raises(InvalidInput, match="whole number from 1 to 2"):
            await assignment.check_group_assignment(pilot, bad, tenant=tenant)


async def test_only_admins_get_export_links(store_engine: AsyncEngine) -> None:  # noqa: F811
    with pytest.raises(NotPermitted):
        await create_export_link(
            principal=ALEX, filename="x", media_type="text/plain", content="x",
            store=SqlExportLinkStore(store_engine), clock=FixedClock(),
        )  # fmt: skip


async def _submit(tenant: EmulatedTenantGateway, engine: AsyncEngine, **changes: object) -> object:
    uow = SqlUnitOfWorkFactory(engine)
    review = await review_setup(DRAFT, tenant_id=TENANT, tenant=tenant, uow=uow)
    arguments: dict[str, object] = {
        "reviewed_fingerprint": review.fingerprint,
        "justification": "Pilot",
        "attested": [g.id for g in review.attestations],
        "principal": MEGAN,
        **changes,
    }
    return await submit_setup(
        DRAFT,
        tenant=tenant,
        uow=uow,
        clock=FixedClock(),
        **arguments,  # type: ignore[arg-type]
    )


async def test_submit_checks_everything_again(
    tenant: EmulatedTenantGateway,
    store_engine: AsyncEngine,  # noqa: F811
) -> None:
    with pytest.raises(NotPermitted):
        await _submit(tenant, store_engine, principal=ALEX)
    with pytest.raises(InvalidInput, match="Say why"):
        await _submit(tenant, store_engine, justification="  \n ")
    with pytest.raises(InvalidInput, match="at most 1,000"):
        await _submit(tenant, store_engine, justification="x" * 1001)
    with pytest.raises(InvalidInput, match=r"Confirm every warning.*SC-R07"):
        await _submit(tenant, store_engine, attested=[])
    request = await _submit(tenant, store_engine)
    assert request.state is RequestState.PENDING  # type: ignore[attr-defined]


async def test_a_plan_that_changed_since_the_review_is_not_submitted(
    tenant: EmulatedTenantGateway,
    store_engine: AsyncEngine,  # noqa: F811
) -> None:
    uow = SqlUnitOfWorkFactory(store_engine)
    review = await review_setup(DRAFT, tenant_id=TENANT, tenant=tenant, uow=uow)
    await tenant.set_enterprise_voice(DIEGO, True)  # someone changed Diego meanwhile
    with pytest.raises(PlanChanged) as changed:
        await submit_setup(
            DRAFT, reviewed_fingerprint=review.fingerprint, justification="Pilot",
            attested=[g.id for g in review.attestations], principal=MEGAN,
            tenant=tenant, uow=uow, clock=FixedClock(),
        )  # fmt: skip
    assert changed.value.review.fingerprint != review.fingerprint
    async with uow() as work:
        assert await work.requests.find(TENANT) == []


async def test_nothing_to_change_is_not_submitted(
    tenant: EmulatedTenantGateway,
    store_engine: AsyncEngine,  # noqa: F811
) -> None:
    adele = UserId("00000000-0000-4000-8000-000000000003")
    nestor = UserId("00000000-0000-4000-8000-000000000008")
    draft = replace(
        SetupDraft(),
        resource_account_id=UserId("00000000-0000-4000-8000-000000000051"),
        policy_name="Seattle",
        emergency_numbers=("+14255550191", "+14255550192"),
        user_ids=(adele, nestor),
    )
    uow = SqlUnitOfWorkFactory(store_engine)
    review = await review_setup(draft, tenant_id=TENANT, tenant=tenant, uow=uow)
    assert review.preview.plan.is_empty
    assert not review.can_submit
    with pytest.raises(InvalidInput, match="Nothing to change"):
        await submit_setup(
            draft, reviewed_fingerprint=review.fingerprint, justification="x",
            attested=[g.id for g in review.attestations], principal=MEGAN,
            tenant=tenant, uow=uow, clock=FixedClock(),
        )  # fmt: skip


def test_a_draft_round_trips_and_a_tampered_one_is_refused() -> None:
    draft = replace(
        DRAFT, group_id=SEATTLE_FLOOR_2, group_rank=2, extension_dialing_user_ids=(DIEGO,)
    )
    assert SetupDraft.from_json(draft.to_json()) == draft
    for broken in ({**draft.to_json(), "v": 2}, {**draft.to_json(), "users": [1]}, {"v": 1}):
        with pytest.raises(ValueError, match="set-up draft"):
            SetupDraft.from_json(broken)
    with pytest.raises(InvalidInput, match="Choose a resource account"):
        SetupDraft().desired()


def test_a_new_resource_account_resets_what_depended_on_the_old_one() -> None:
    moved = DRAFT.with_account(UserId("00000000-0000-4000-8000-000000000052"), None, None)
    assert (moved.policy_name, moved.emergency_numbers) == (None, None)
    assert moved.user_ids == DRAFT.user_ids  # the people chosen stay
    same = DRAFT.with_account(DRAFT.resource_account_id or UserId(""), None, None)
    assert same.policy_name == "Redmond"


def test_the_same_account_or_policy_in_another_case_keeps_the_answers_that_followed() -> None:
    """Teams compares ids and policy names without case: "redmond" is the policy already chosen,
    so the emergency numbers picked for it stay."""
    assert DRAFT.resource_account_id is not None
    assert DRAFT.policy_name is not None
    assert DRAFT.emergency_numbers  # the sample has numbers to lose
    account = UserId(DRAFT.resource_account_id.upper())
    again = DRAFT.with_account(account, DRAFT.emergency_location_id, DRAFT.ra_voice_routing_policy)
    assert (again.policy_name, again.emergency_numbers) == (
        DRAFT.policy_name,
        DRAFT.emergency_numbers,
    )
    renamed = DRAFT.with_policy(DRAFT.policy_name.lower(), is_new=DRAFT.policy_is_new)
    assert renamed.emergency_numbers == DRAFT.emergency_numbers
    other = DRAFT.with_policy("Somewhere else", is_new=True)
    assert other.emergency_numbers is None  # another policy does reset them
