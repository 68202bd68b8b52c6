"""Microsoft Graph JSON to the domain's tenant model; pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from enum import StrEnum
from typing import Any, TypeVar

from sharedcalling.adapters.tenant.graph_licenses import (
    LICENSE_PROPERTIES,
    SkuCatalog,
    licenses_from_graph,
)
from sharedcalling.domain.ids import GroupId, UserId
from sharedcalling.domain.names import bare_policy_name, same
from sharedcalling.domain.tenant import (
    GLOBAL_POLICY,
    AccountType,
    ActivationState,
    AssignmentStatus,
    Capability,
    Group,
    GroupPolicyAssignment,
    NumberSource,
    NumberType,
    PhoneNumber,
    PolicyRef,
    PolicyType,
    SubscribedSku,
    User,
)

E = TypeVar("E", bound=StrEnum)

Json = Mapping[str, Any]

# $select lists: Graph returns usageLocation and the license properties only when selected, and
# smaller payloads cost less.
USER_SELECT = (
    "id,userPrincipalName,displayName,accountEnabled,usageLocation,mailNickname,"
    + LICENSE_PROPERTIES
)
CONFIG_SELECT = (
    "id,userPrincipalName,accountType,isEnterpriseVoiceEnabled,featureTypes,"
    "telephoneNumbers,effectivePolicyAssignments"
)
GROUP_SELECT = "id,displayName"
MEMBER_SELECT = "id"

# Built-in Entra role template ids (stable across tenants) of the roles that make a Teams admin.
ROLE_TEMPLATES: Mapping[str, str] = {
    "69091246-20e8-4a56-aa4d-066075b2a7a8": "Teams Administrator",
    "baf37b3a-610e-45da-9e62-d9d1e5e8914b": "Teams Communications Administrator",
}

_GRAPH_GROUP_TYPE = "#microsoft.graph.group"


def parse_enum(enum_type: type[E], value: object) -> E | None:
    """Graph spells enum members in camelCase (`directRouting`); the domain uses Microsoft's
    PowerShell PascalCase (`DirectRouting`). Match case-insensitively; unknown values give None."""
    if not isinstance(value, str):
        return None
    wanted = value.lower()
    for member in enum_type:
        if member.value.lower() == wanted:
            return member
    return None


def strip_tag(name: str) -> str:
    """Policy instance names without the `Tag:` prefix PowerShell and Graph may put on them."""
    return bare_policy_name(name)


def _assignments(config: Json | None) -> Iterable[tuple[PolicyType, Json]]:
    for item in (config or {}).get("effectivePolicyAssignments") or ():
        policy_type = parse_enum(PolicyType, item.get("policyType"))
        assignment = item.get("policyAssignment") or {}
        if policy_type is not None:
            yield policy_type, assignment


def direct_policies(config: Json | None) -> tuple[PolicyRef, ...]:
    """The direct assignments among a user's effective ones; group and Global ones are derived
    state, which the snapshot expresses through groups and group assignments instead."""
    refs = []
    for policy_type, assignment in _assignments(config):
        name = strip_tag(str(assignment.get("displayName") or ""))
        if not same(str(assignment.get("assignmentType", "")), "direct") or not name:
            continue
        if not same(name, GLOBAL_POLICY):
            refs.append(PolicyRef(policy_type, name))
    order = list(PolicyType)
    return tuple(sorted(refs, key=lambda ref: (order.index(ref.policy_type), ref.name)))


GroupWin = tuple[PolicyType, GroupId, str, UserId]
"""A user's effective policy of one type came from this group assignment (type, group, name)."""


def group_wins(user_id: UserId, config: Json | None) -> set[GroupWin]:
    """The group assignments that won for this user, from `effectivePolicyAssignments`."""
    wins = set()
    for policy_type, assignment in _assignments(config):
        group_id = assignment.get("groupId")
        if same(str(assignment.get("assignmentType", "")), "group") and group_id:
            name = strip_tag(str(assignment.get("displayName") or ""))
            wins.add((policy_type, GroupId(str(group_id).lower()), name, user_id))
    return wins


def infer_group_assignments(
    wins: Iterable[GroupWin], groups: Mapping[GroupId, Group]
) -> tuple[GroupPolicyAssignment, ...]:
    """Group policy assignments as far as Graph shows them: only assignments that won for some
    read user are visible, and ranks are inferred (an assignment that won for a member of
    another candidate's group ranks above it). PowerShell's Get-CsGroupPolicyAssignment is the
    authoritative source; the composite backend prefers it."""
    wins = list(wins)
    by_type: dict[PolicyType, dict[tuple[GroupId, str], int]] = {}
    for policy_type, group_id, name, _ in wins:
        by_type.setdefault(policy_type, {}).setdefault((group_id, name), 0)
    for policy_type, group_id, name, user_id in wins:
        candidates = by_type[policy_type]
        rivals = [g for g, _ in candidates if g != group_id and user_id in _members(groups, g)]
        candidates[(group_id, name)] += len(rivals)
    found = []
    for policy_type, candidates in by_type.items():
        ordered = sorted(candidates, key=lambda c: (-candidates[c], c[0]))
        found += [
            GroupPolicyAssignment(group_id, policy_type, name, rank)
            for rank, (group_id, name) in enumerate(ordered, start=1)
        ]
    return tuple(sorted(found, key=lambda a: (a.policy_type.value, a.rank)))


def _members(groups: Mapping[GroupId, Group], group_id: GroupId) -> tuple[UserId, ...]:
    group = groups.get(group_id)
    return group.member_ids if group is not None else ()


def user_from_graph(
    basic: Json,
    *,
    catalog: SkuCatalog | None = None,
    config: Json | None = None,
    roles: Collection[str] = (),
) -> User:
    """One account from `/users` (with its license properties, named through `catalog`, the
    tenant's SKUs) and its Teams `userConfiguration`.

    A user without a Teams configuration is an ordinary user with voice off: Graph has no
    configuration for accounts that Teams has not provisioned yet.
    """
    account_type = AccountType.USER
    if config is not None:
        account_type = parse_enum(AccountType, config.get("accountType")) or AccountType.INELIGIBLE
    features = [str(f) for f in (config or {}).get("featureTypes") or ()]
    return User(
        id=UserId(str(basic["id"]).lower()),
        user_principal_name=str(basic.get("userPrincipalName") or ""),
        display_name=str(basic.get("displayName") or ""),
        account_type=account_type,
        account_enabled=bool(basic.get("accountEnabled", True)),
        usage_location=basic.get("usageLocation") or None,
        licenses=licenses_from_graph(basic, catalog or SkuCatalog(()), features=features),
        enterprise_voice_enabled=bool((config or {}).get("isEnterpriseVoiceEnabled", False)),
        direct_policies=direct_policies(config),
        directory_roles=tuple(sorted(roles)),
        mail_nickname=str(basic.get("mailNickname") or ""),
    )


def number_from_graph(item: Json) -> PhoneNumber | None:
    """One `numberAssignment`; None for number types the domain does not model
    (`internalCalling`, future values)."""
    number_type = parse_enum(NumberType, item.get("numberType"))
    if number_type is None or not item.get("telephoneNumber"):
        return None
    capabilities = tuple(
        cap
        for cap in (parse_enum(Capability, c) for c in item.get("capabilities") or ())
        if cap is not None
    )
    return PhoneNumber(
        telephone_number=str(item["telephoneNumber"]),
        number_type=number_type,
        iso_country_code=item.get("isoCountryCode") or None,
        capabilities=capabilities,
        activation_state=parse_enum(ActivationState, item.get("activationState"))
        or ActivationState.ACTIVATED,
        assignment_status=parse_enum(AssignmentStatus, item.get("assignmentStatus"))
        or AssignmentStatus.UNASSIGNED,
        assigned_target_id=item.get("assignmentTargetId") or None,
        location_id=item.get("locationId") or None,
        number_source=parse_enum(NumberSource, item.get("numberSource")) or NumberSource.ONLINE,
        # numberAssignment documents `operatorId` only ("The ID of the operator"); no name.
        operator_id=item.get("operatorId") or None,
    )


def sku_from_graph(item: Json) -> SubscribedSku:
    prepaid = item.get("prepaidUnits") or {}
    return SubscribedSku(
        sku_part_number=str(item.get("skuPartNumber", "")),
        service_plan_names=tuple(
            str(plan.get("servicePlanName", "")) for plan in item.get("servicePlans") or ()
        ),
        enabled_units=int(prepaid.get("enabled", 0)),
        consumed_units=int(item.get("consumedUnits", 0)),
    )


def group_from_graph(group: Json, members: Iterable[Json]) -> Group:
    """A group and its direct members; nested groups are kept apart because Teams policy
    inheritance does not reach their members."""
    users: list[UserId] = []
    nested: list[GroupId] = []
    for member in members:
        member_id = str(member["id"]).lower()
        if member.get("@odata.type") == _GRAPH_GROUP_TYPE:
            nested.append(GroupId(member_id))
        else:
            users.append(UserId(member_id))
    return Group(
        id=GroupId(str(group["id"]).lower()),
        display_name=str(group.get("displayName") or ""),
        member_ids=tuple(sorted(users)),
        nested_group_ids=tuple(sorted(nested)),
    )


def odata_quote(value: str) -> str:
    """An OData string literal: single quotes, embedded quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


SEARCH_PROPERTIES = ("displayName", "userPrincipalName", "mailNickname")


def search_clause(text: str) -> str:
    """A `$search` expression over the searchable name properties; each term is a quoted string,
    in which `\\` and `"` are escaped with a backslash."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return " OR ".join(f'"{prop}:{escaped}"' for prop in SEARCH_PROPERTIES)
