"""Tenant-level rules SC-T01, SC-T03..SC-T05 (docs/rules.md); SC-T02 needs the live module."""

from __future__ import annotations

from collections.abc import Iterator

from sharedcalling.domain import names
from sharedcalling.domain.rules.context import Context
from sharedcalling.domain.rules.model import Finding, Severity, Subject, SubjectKind
from sharedcalling.domain.rules.needs import numbers_to_add, numbers_to_remove, ra_needs_location
from sharedcalling.domain.tenant import (
    GOV_PLAN_SUFFIX,
    PLAN_RESOURCE_ACCOUNT,
    NumberSource,
    NumberType,
    ProvisioningStatus,
)

PUBLIC_CLOUD = "public"


def _tenant(ctx: Context) -> Subject:
    tenant_id = ctx.snapshot.tenant_id
    return Subject(SubjectKind.TENANT, tenant_id, tenant_id)


def check_public_cloud(ctx: Context) -> Iterator[Finding]:
    gov_plans = sorted(
        {
            plan
            for sku in ctx.snapshot.subscribed_skus
            for plan in sku.service_plan_names
            if plan.upper().endswith(GOV_PLAN_SUFFIX)
        }
    )
    if ctx.snapshot.cloud.lower() != PUBLIC_CLOUD or gov_plans:
        signal = ", ".join(gov_plans) if gov_plans else f"cloud {ctx.snapshot.cloud}"
        message = f"Shared Calling is only available in public clouds ({signal})."
        yield Finding("SC-T01", Severity.BLOCK, _tenant(ctx), message)


def _uses_direct_routing_mix(ctx: Context) -> bool:
    """CP/OC Shared Calling (this plan or an existing policy) alongside Direct Routing numbers."""
    snapshot = ctx.snapshot
    # Object ids are compared case-insensitively everywhere (PowerShell and Graph differ).
    ra_ids = {
        names.fold(p.resource_account_id)
        for p in snapshot.shared_calling_policies.values()
        if p.resource_account_id is not None
    }
    ra_ids.add(names.fold(ctx.desired.resource_account_id))
    ra_types = {
        n.number_type
        for n in snapshot.numbers.values()
        if n.assigned_target_id is not None and names.fold(n.assigned_target_id) in ra_ids
    }
    calling_plan_like = bool(ra_types - {NumberType.DIRECT_ROUTING})
    direct_routing = any(
        n.number_type is NumberType.DIRECT_ROUTING for n in snapshot.numbers.values()
    )
    return calling_plan_like and direct_routing


def check_site_emergency_policies(ctx: Context) -> Iterator[Finding]:
    sites = sorted(s.name for s in ctx.snapshot.network_sites if s.emergency_call_routing_policy)
    if sites and _uses_direct_routing_mix(ctx):
        message = (
            "Site-assigned emergency routing policies are unsupported with mixed CP/OC Shared "
            f"Calling and Direct Routing; remove them from sites {', '.join(sites)}."
        )
        yield Finding("SC-T03", Severity.WARN, _tenant(ctx), message, attest=True)


def check_resource_account_seats(ctx: Context) -> Iterator[Finding]:
    ra = ctx.ra
    if ra is None or not ra.is_resource_account:
        return
    if ra.plan_status(PLAN_RESOURCE_ACCOUNT) is ProvisioningStatus.SUCCESS:
        return
    free = sum(
        sku.available_units
        for sku in ctx.snapshot.subscribed_skus
        if PLAN_RESOURCE_ACCOUNT in sku.service_plan_names
    )
    if free == 0:
        message = (
            "No free Teams Phone Resource Account licenses; acquire the $0 SKU before "
            f"licensing {ctx.ra_subject.display}."
        )
        yield Finding("SC-T04", Severity.WARN, _tenant(ctx), message)


def _numbers_the_plan_changes(ctx: Context) -> list[str]:
    changed = [*numbers_to_add(ctx), *numbers_to_remove(ctx)]
    if ctx.policy is None:
        changed.extend(ctx.emergency_numbers)
    if ra_needs_location(ctx) and ctx.ra_number is not None:
        changed.append(ctx.ra_number.telephone_number)
    return sorted(set(changed))


def check_on_premises_numbers(ctx: Context) -> Iterator[Finding]:
    for wanted in _numbers_the_plan_changes(ctx):
        number = ctx.snapshot.number(wanted)
        if number is not None and number.number_source is NumberSource.ON_PREMISES:
            message = f"Number {wanted} is synced from on-premises AD; clear it on-premises first."
            subject = Subject(SubjectKind.NUMBER, wanted, wanted)
            yield Finding("SC-T05", Severity.BLOCK, subject, message)
