"""What the hazard watch checks: the policies and users our applied requests set up.

"Configured by a request of ours" means in a request that reached APPLIED or
PARTIALLY_APPLIED. The newest such request wins for a user and for a policy, so a later fix
or change becomes what is expected.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sharedcalling.domain import names
from sharedcalling.domain.hazards import PolicyWatch, UserWatch, Watchlist
from sharedcalling.domain.ids import TenantId, UserId
from sharedcalling.domain.planning.codec import desired_from_json
from sharedcalling.domain.requests import ChangeRequest, RequestState
from sharedcalling.services.unit_of_work import UnitOfWorkFactory

logger = logging.getLogger(__name__)

APPLIED_STATES = (RequestState.APPLIED, RequestState.PARTIALLY_APPLIED)
PAGE = 500


async def applied_requests(tenant_id: TenantId, *, uow: UnitOfWorkFactory) -> list[ChangeRequest]:
    """Every applied (or partially applied) request, newest first."""
    found: list[ChangeRequest] = []
    async with uow() as work:
        while True:
            page = await work.requests.find(
                tenant_id, states=APPLIED_STATES, limit=PAGE, offset=len(found)
            )
            found.extend(page)
            if len(page) < PAGE:
                return found


def accepted_warnings(plan: Mapping[str, Any]) -> frozenset[str]:
    """`code|subject id` of the WARN findings of a stored plan (the `sharedcalling.plan` JSON):
    the approvers saw them, so they are known at set-up, not drift. Other shapes give none."""
    findings = plan.get("findings")
    if not isinstance(findings, list):
        return frozenset()
    accepted = set()
    for finding in findings:
        if not isinstance(finding, Mapping) or finding.get("severity") != "WARN":
            continue
        subject = finding.get("subject")
        if isinstance(subject, Mapping) and isinstance(subject.get("id"), str):
            accepted.add(f"{finding.get('code')}|{names.fold(subject['id'])}")
    return frozenset(accepted)


def _blocked(plan: Mapping[str, Any]) -> set[str]:
    """Users the plan left out (blocked): the request never configured them."""
    blocked = plan.get("blocked_user_ids")
    return (
        {names.fold(u) for u in blocked if isinstance(u, str)}
        if isinstance(blocked, list)
        else set()
    )


def build_watchlist(requests: Iterable[ChangeRequest]) -> Watchlist:
    """Newest request first wins, per user and per policy. Requests whose desired state cannot
    be read are skipped with a warning (they were written by a format we do not know)."""
    users: dict[str, UserWatch] = {}
    policies: dict[str, PolicyWatch] = {}
    accepted: dict[str, frozenset[str]] = {}
    for request in requests:
        try:
            desired = desired_from_json(request.desired)
        except ValueError:
            logger.warning("Request %s: desired state unreadable; not watched", request.id)
            continue
        left_out = _blocked(request.plan)
        extension = {names.fold(u) for u in desired.extension_dialing_user_ids}
        for user_id in desired.user_ids:
            key = names.fold(user_id)
            if key in left_out or key in users:
                continue
            users[key] = UserWatch(
                UserId(key), desired.policy_name, request.id, extension_dialing=key in extension
            )
        policy = names.policy_key(desired.policy_name)
        # Warnings any of our plans for this policy showed were known at set-up.
        accepted[policy] = accepted.get(policy, frozenset()) | accepted_warnings(request.plan)
        if policy not in policies:
            policies[policy] = PolicyWatch(
                policy_name=desired.policy_name,
                resource_account_id=desired.resource_account_id,
                emergency_numbers=desired.emergency_numbers,
                request_id=request.id,
            )
    return _with_users(policies, users, accepted)


def _with_users(
    policies: dict[str, PolicyWatch],
    users: dict[str, UserWatch],
    accepted: dict[str, frozenset[str]],
) -> Watchlist:
    on_policy: dict[str, list[UserId]] = {key: [] for key in policies}
    for watch in users.values():
        on_policy.setdefault(names.policy_key(watch.policy_name), []).append(watch.user_id)
    finished = tuple(
        PolicyWatch(
            policy_name=p.policy_name,
            resource_account_id=p.resource_account_id,
            emergency_numbers=p.emergency_numbers,
            request_id=p.request_id,
            user_ids=tuple(sorted(on_policy[key])),
            accepted=accepted.get(key, frozenset()),
        )
        for key, p in sorted(policies.items())
    )
    return Watchlist(finished, tuple(sorted(users.values(), key=lambda w: w.user_id)))


async def load_watchlist(tenant_id: TenantId, *, uow: UnitOfWorkFactory) -> Watchlist:
    return build_watchlist(await applied_requests(tenant_id, uow=uow))
