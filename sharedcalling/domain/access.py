"""Roles and the acting principal, and which role may ask, request or approve what."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sharedcalling.domain import names
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.domain.tenant import Group, TenantSnapshot, User


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"
    APPROVER = "approver"


@dataclass(frozen=True, slots=True)
class Principal:
    """The person acting in a turn, as resolved from the tenant (never from message text)."""

    tenant_id: TenantId
    user_id: UserId
    display_name: str
    roles: frozenset[Role] = frozenset({Role.USER})

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def is_approver(self) -> bool:
        return Role.APPROVER in self.roles


def roles_for(
    user: User,
    groups: TenantSnapshot | Iterable[Group],
    admin_group_id: str,
    approver_group_id: str,
) -> frozenset[Role]:
    """Everyone is a USER; ADMIN by direct membership of the admin group or a Teams admin
    directory role; APPROVER by direct membership of the approver group."""
    known = groups.groups.values() if isinstance(groups, TenantSnapshot) else groups
    member_of = {names.fold(g.id) for g in known if _is_direct_member(user, g)}
    roles = {Role.USER}
    if names.fold(admin_group_id) in member_of or user.holds_teams_admin_role:
        roles.add(Role.ADMIN)
    if names.fold(approver_group_id) in member_of:
        roles.add(Role.APPROVER)
    return frozenset(roles)


def _is_direct_member(user: User, group: Group) -> bool:
    return names.contains(group.member_ids, user.id)


def may_ask_about(asker: Principal, subject_id: UserId) -> bool:
    """Anyone may ask about themselves; only admins may ask about someone else."""
    return asker.is_admin or names.same(asker.user_id, subject_id)
