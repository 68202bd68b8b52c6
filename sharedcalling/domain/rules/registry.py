"""RULES, the explicit registry of prerequisite rules, and check(): run them all."""

from __future__ import annotations

from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.rules import (
    emergency_rules as e,
)
from sharedcalling.domain.rules import (
    group_rules as g,
)
from sharedcalling.domain.rules import (
    policy_rules as p,
)
from sharedcalling.domain.rules import (
    resource_account_rules as r,
)
from sharedcalling.domain.rules import (
    tenant_rules as t,
)
from sharedcalling.domain.rules import (
    user_rules as u,
)
from sharedcalling.domain.rules.context import Context, build_context
from sharedcalling.domain.rules.model import Finding, Rule, Severity, SubjectKind
from sharedcalling.domain.tenant import TenantSnapshot

B, F, W = Severity.BLOCK, Severity.FIX, Severity.WARN
TEN, USR, RA = SubjectKind.TENANT, SubjectKind.USER, SubjectKind.RESOURCE_ACCOUNT
NUM, POL, GRP = SubjectKind.NUMBER, SubjectKind.POLICY, SubjectKind.GROUP

RULES: tuple[Rule, ...] = (
    Rule("SC-T01", B, TEN, "public commercial cloud only", t.check_public_cloud),
    Rule("SC-T03", W, TEN, "site ECRPs with mixed CP/OC and DR", t.check_site_emergency_policies),
    Rule("SC-T04", W, TEN, "free resource account licenses", t.check_resource_account_seats),
    Rule("SC-T05", B, NUM, "numbers the plan changes are online", t.check_on_premises_numbers),
    Rule("SC-U01", B, USR, "a normal user account", u.check_account_type),
    Rule("SC-U02", B, USR, "account enabled, not deleted", u.check_account_enabled),
    Rule("SC-U03", B, USR, "Teams Phone licensed and provisioned", u.check_teams_phone),
    Rule("SC-U04", F, USR, "enterprise voice enabled", u.check_enterprise_voice),
    Rule("SC-U05", B, USR, "no personal phone number", u.check_personal_number),
    Rule("SC-U06", W, USR, "deliberate extension dialing", u.check_extension_dialing),
    Rule("SC-U07", F, USR, "effective VRP without PSTN usages", u.check_voice_routing),
    Rule("SC-U08", F, USR, "ECRP suits the RA number type", u.check_emergency_routing),
    Rule("SC-U09", W, USR, "usage location matches RA country", u.check_usage_location),
    Rule("SC-R01", B, RA, "is a resource account", r.check_is_resource_account),
    Rule("SC-R02", B, RA, "resource account license", r.check_resource_account_license),
    Rule("SC-R03", B, RA, "exactly one activated number", r.check_resource_account_number),
    Rule("SC-R04", F, RA, "emergency location on the number", r.check_emergency_location),
    Rule("SC-R05", B, RA, "CP service number country", r.check_calling_plan_country),
    Rule("SC-R06", B, RA, "PAYG Calling Plan for CP", r.check_pay_as_you_go),
    Rule("SC-R07", W, RA, "CP funding", r.check_funding),
    Rule("SC-R08", F, RA, "DR resource account VRP with usages", r.check_direct_routing_vrp),
    Rule("SC-R09", W, RA, "operator supports Shared Calling", r.check_operator),
    Rule("SC-R10", W, RA, "associated with an auto attendant", r.check_auto_attendant),
    Rule("SC-R11", W, RA, "number eligibility hints", r.check_eligibility_hints),
    Rule("SC-E01", B, NUM, "active number of the tenant", e.check_in_inventory),
    Rule("SC-E02", B, NUM, "same number type as the RA", e.check_same_type),
    Rule("SC-E03", B, NUM, "same country as the RA", e.check_same_country),
    Rule("SC-E04", B, NUM, "not assigned to an account", e.check_not_assigned),
    Rule("SC-E05", B, NUM, "not in another policy", e.check_not_in_other_policy),
    Rule("SC-E06", B, NUM, "subscriber numbers for CP service RA", e.check_subscriber_numbers),
    Rule("SC-E07", B, POL, "toll-free RA needs numbers", e.check_toll_free_needs_numbers),
    Rule("SC-E08", W, POL, "callback pool size", e.check_pool_size),
    Rule("SC-E09", W, NUM, "DR inbound routing", e.check_inbound_routing),
    Rule("SC-P01", F, POL, "policy exists with RA and numbers", p.check_target_policy),
    Rule("SC-P02", F, USR, "effective Shared Calling policy", p.check_effective_policy),
    Rule("SC-P03", B, GRP, "at most 64 group assignments per type", g.check_group_limit),
    Rule("SC-P05", F, USR, "ECRP not delivered by group", p.check_emergency_group_grant),
    Rule("SC-P06", W, USR, "caller-ID policy in force", p.check_calling_line_identity),
    Rule("SC-P08", W, GRP, "group assignment caveats", g.check_group_caveats),
)


def run_rules(ctx: Context) -> tuple[Finding, ...]:
    """Every finding for `ctx`, sorted; FIX findings of blocked users are dropped because the
    plan leaves those users out."""
    findings = [finding for rule in RULES for finding in rule.check(ctx)]
    blocked = {
        f.subject.id
        for f in findings
        if f.severity is Severity.BLOCK and f.subject.kind is SubjectKind.USER
    }
    kept = (
        f
        for f in findings
        if not (
            f.severity is Severity.FIX
            and f.subject.kind is SubjectKind.USER
            and f.subject.id in blocked
        )
    )
    return tuple(sorted(kept, key=lambda f: f.sort_key))


def check(desired: DesiredState, snapshot: TenantSnapshot) -> tuple[Finding, ...]:
    """Check every prerequisite of `desired` against `snapshot`."""
    return run_rules(build_context(desired, snapshot))
