"""Caller-ID cards for the issue 7 answers: the presented number, emergency problems, doubt."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

import pytest

from cards.callerid import caller_id_card
from cards.help import help_card
from cards.text import unbroken
from cards.views import caller_id_view
from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.access import Role
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.tenant import (
    CallingIdSubstitute,
    CallingLineIdentityPolicy,
    License,
    PolicyRef,
    PolicyType,
    ProvisioningStatus,
    ServicePlan,
    TenantSnapshot,
)
from sharedcalling.services.callerid import Answered, answer_caller_id
from sharedcalling.services.ports import SnapshotScope
from tests.cards.card_checks import assert_card_ok, sdk_available, sdk_problems, walk
from tests.demo_ids import ADELE, MEGAN, RA_HELPDESK


async def demo() -> TenantSnapshot:
    return await EmulatedTenantGateway.seeded().snapshot(SnapshotScope(all_users=True))


async def card_for(snapshot: TenantSnapshot, user: UserId) -> dict[str, Any]:
    result = await answer_caller_id(str(user), tenant=EmulatedTenantGateway.from_snapshot(snapshot))
    assert isinstance(result, Answered)
    return caller_id_card(caller_id_view(result))


def texts(card: dict[str, Any]) -> str:
    parts = ("text", "title", "value")
    return "\n".join(
        " ".join(str(n.get(p, "")) for p in parts) for n in walk(card) if isinstance(n, dict)
    )


def styled(card: dict[str, Any], style: str) -> str:
    return "\n".join(
        texts(n) for n in walk(card) if isinstance(n, dict) and n.get("style") == style
    )


async def megan_behind_the_help_desk() -> TenantSnapshot:
    snapshot = await demo()
    clid = CallingLineIdentityPolicy("Desk", CallingIdSubstitute.RESOURCE, RA_HELPDESK)
    megan = snapshot.users[MEGAN]
    ref = PolicyRef(PolicyType.CALLING_LINE_IDENTITY, "Desk")
    return replace(
        snapshot,
        users={**snapshot.users, MEGAN: replace(megan, direct_policies=(ref,))},
        calling_line_identity_policies={**snapshot.calling_line_identity_policies, "Desk": clid},
    )


async def adele_without_the_location() -> TenantSnapshot:
    snapshot = await demo()
    main = replace(snapshot.numbers["+14255550100"], location_id=None)
    return replace(snapshot, numbers={**snapshot.numbers, main.telephone_number: main})


async def adele_of_unknown_provisioning() -> TenantSnapshot:
    snapshot = await demo()
    adele = snapshot.users[ADELE]
    unknown = License("SPE_E5", (ServicePlan("MCOEV", ProvisioningStatus.UNKNOWN),))
    return replace(snapshot, users={**snapshot.users, ADELE: replace(adele, licenses=(unknown,))})


async def test_the_card_shows_the_number_a_resource_caller_id_presents() -> None:
    """Issue 7, fix 5: the headline is the CLID resource account's number."""
    card = await card_for(await megan_behind_the_help_desk(), MEGAN)
    assert card["body"][1]["text"] == unbroken("+1 425-555-0150")
    assert unbroken("+1 425-555-0110") in texts(
        card
    )  # her own number, still sent to emergency services
    assert_card_ok(card)


async def test_the_card_says_emergency_calling_is_not_set_up_and_why() -> None:
    """Issue 7, fix 3: SC-R04 on the card, in the facts and in what to fix."""
    card = await card_for(await adele_without_the_location(), ADELE)
    assert card["body"][1]["text"] == unbroken("+1 425-555-0100")
    facts = {
        f["title"]: f["value"]
        for n in walk(card)
        if isinstance(n, dict)
        for f in n.get("facts", [])
    }
    assert facts["Emergency calls"] == "not set up correctly; an admin must fix it (SC-R04)"
    assert "SC-R04" in styled(card, "attention")
    assert unbroken("+1 425-555-0191") not in texts(card)
    assert_card_ok(card)


async def test_the_card_says_what_the_backend_cannot_tell() -> None:
    card = await card_for(await adele_of_unknown_provisioning(), ADELE)
    assert "Cannot tell whether Teams Phone is provisioned" in styled(card, "warning")
    assert card["body"][1]["color"] == "Warning"
    assert_card_ok(card)


def test_the_help_card_gives_a_neutral_example() -> None:
    text = texts(help_card({Role.USER, Role.ADMIN}))
    assert "which number does <name> call out as?" in text
    assert "Lee" not in text


@pytest.mark.skipif(
    not sdk_available() and os.environ.get("CI") != "true",
    reason="npm ci --prefix tests/cards (adaptivecards); always run in CI",
)
async def test_the_official_sdk_accepts_the_new_answer_cards() -> None:
    cards = [
        await card_for(await megan_behind_the_help_desk(), MEGAN),
        await card_for(await adele_without_the_location(), ADELE),
        await card_for(await adele_of_unknown_provisioning(), ADELE),
        help_card({Role.USER, Role.ADMIN, Role.APPROVER}),
    ]
    assert sdk_problems(cards) == [[] for _ in cards]
