"""Tenant rules SC-T01, SC-T03..SC-T05, one fact varied at a time."""

from __future__ import annotations

from dataclasses import replace

from sharedcalling.domain.ids import UserId
from sharedcalling.domain.rules import Severity, SubjectKind
from sharedcalling.domain.tenant import (
    PLAN_RESOURCE_ACCOUNT,
    NetworkSite,
    NumberSource,
    NumberType,
    SubscribedSku,
    TenantSnapshot,
)
from tests.domain.rules.builders import (
    HELD,
    RA_DISPLAY,
    RA_NUMBER,
    SPARE,
    TENANT,
    desired,
    findings,
    healthy,
    number,
    only,
    ra,
    with_numbers,
    with_ra_number,
    with_users,
)


def test_sc_t01_a_sovereign_cloud_blocks_the_tenant() -> None:
    finding = only("SC-T01", replace(healthy(), cloud="gcchigh"))
    assert (finding.code, finding.severity) == ("SC-T01", Severity.BLOCK)
    assert (finding.subject.kind, finding.subject.id) == (SubjectKind.TENANT, TENANT)
    assert "cloud gcchigh" in finding.message


def test_sc_t01_names_the_government_service_plans_it_saw() -> None:
    skus = (SubscribedSku("MCOEV_GOV", ("MCOEV_GOV", "MCOEV_VIRTUALUSER_GOV"), 10, 1),)
    finding = only("SC-T01", replace(healthy(), subscribed_skus=skus))
    assert finding.severity is Severity.BLOCK
    assert "MCOEV_GOV, MCOEV_VIRTUALUSER_GOV" in finding.message


def test_sc_t01_is_silent_in_the_public_cloud() -> None:
    assert findings("SC-T01") == []


def mixed_tenant_with_site_policy() -> TenantSnapshot:
    sites = (NetworkSite("Redmond-B1", "US-Emergency"), NetworkSite("Lobby"))
    dr = number("+14255550170", number_type=NumberType.DIRECT_ROUTING)
    return replace(with_numbers(healthy(), dr), network_sites=sites)


def test_sc_t03_warns_about_site_policies_when_calling_plan_meets_direct_routing() -> None:
    finding = only("SC-T03", mixed_tenant_with_site_policy())
    assert (finding.severity, finding.attest) == (Severity.WARN, True)
    assert (finding.subject.kind, finding.subject.id) == (SubjectKind.TENANT, TENANT)
    assert "remove them from sites Redmond-B1." in finding.message


def test_sc_t03_matches_resource_account_ids_whatever_their_case() -> None:
    # PowerShell and Graph do not agree on the case of object ids.
    lettered = UserId("0000000a-0000-4000-8000-0000000000ab")
    snapshot = with_ra_number(
        with_users(mixed_tenant_with_site_policy(), ra(id=lettered)),
        assigned_target_id=lettered.upper(),
    )
    finding = only("SC-T03", snapshot, desired(resource_account_id=lettered))
    assert finding.severity is Severity.WARN


def test_sc_t03_is_silent_without_direct_routing_numbers() -> None:
    sites = (NetworkSite("Redmond-B1", "US-Emergency"),)
    assert findings("SC-T03", replace(healthy(), network_sites=sites)) == []


def test_sc_t03_is_silent_when_no_site_carries_an_emergency_policy() -> None:
    snapshot = replace(mixed_tenant_with_site_policy(), network_sites=(NetworkSite("Lobby"),))
    assert findings("SC-T03", snapshot) == []


def test_sc_t03_is_silent_when_shared_calling_uses_direct_routing_only() -> None:
    snapshot = with_ra_number(
        mixed_tenant_with_site_policy(), number_type=NumberType.DIRECT_ROUTING
    )
    assert findings("SC-T03", snapshot) == []


def unlicensed_ra(free_seats: int) -> TenantSnapshot:
    sku = SubscribedSku("PHONESYSTEM_VIRTUALUSER", (PLAN_RESOURCE_ACCOUNT,), 5, 5 - free_seats)
    return replace(with_users(healthy(), ra(licenses=())), subscribed_skus=(sku,))


def test_sc_t04_warns_when_an_unlicensed_ra_finds_no_free_seat() -> None:
    finding = only("SC-T04", unlicensed_ra(free_seats=0))
    assert finding.severity is Severity.WARN
    assert (finding.subject.kind, finding.subject.id) == (SubjectKind.TENANT, TENANT)
    assert f"before licensing {RA_DISPLAY}" in finding.message


def test_sc_t04_is_silent_when_a_seat_is_free() -> None:
    assert findings("SC-T04", unlicensed_ra(free_seats=1)) == []


def test_sc_t04_is_silent_when_the_ra_is_already_licensed() -> None:
    sku = SubscribedSku("PHONESYSTEM_VIRTUALUSER", (PLAN_RESOURCE_ACCOUNT,), 1, 1)
    assert findings("SC-T04", replace(healthy(), subscribed_skus=(sku,))) == []


def test_sc_t05_blocks_adding_an_on_premises_number() -> None:
    synced = number(SPARE, number_source=NumberSource.ON_PREMISES)
    wanted = desired(emergency_numbers=(HELD, SPARE))
    finding = only("SC-T05", with_numbers(healthy(), synced), wanted)
    assert finding.severity is Severity.BLOCK
    assert (finding.subject.kind, finding.subject.id) == (SubjectKind.NUMBER, SPARE)
    assert finding.message == (
        f"Number {SPARE} is synced from on-premises AD; clear it on-premises first."
    )


def test_sc_t05_blocks_setting_the_location_of_an_on_premises_ra_number() -> None:
    snapshot = with_ra_number(healthy(), location_id=None, number_source=NumberSource.ON_PREMISES)
    finding = only("SC-T05", snapshot, desired(emergency_location_id="loc-1"))
    assert finding.subject.id == RA_NUMBER


def test_sc_t05_is_silent_for_an_on_premises_number_the_plan_leaves_alone() -> None:
    synced = number(SPARE, number_source=NumberSource.ON_PREMISES)
    assert findings("SC-T05", with_numbers(healthy(), synced)) == []
