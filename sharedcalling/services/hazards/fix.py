"""Use case plan_fix ("Plan a fix" on a hazard card): a new request of kind FIX.

The plan is built from the tenant as it is now: the desired state of the applied request the
hazard is about, for the users it affects, planned again. It goes through approval like any
plan (submit_request, then the after_submit hook). What no planned change can mend (a number
removed from a resource account, a license, a personal number) is said, with the rule's words.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from sharedcalling.domain import names
from sharedcalling.domain.access import Principal
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.domain.hazards import HazardState
from sharedcalling.domain.hazards.record import Hazard
from sharedcalling.domain.ids import RequestId, UserId
from sharedcalling.domain.planning.codec import desired_from_json, desired_to_json
from sharedcalling.domain.requests import ChangeRequest, RequestKind
from sharedcalling.domain.rules import Finding, Severity
from sharedcalling.services.exports.json_export import plan_to_json
from sharedcalling.services.hazards.check import WatchPorts
from sharedcalling.services.hazards.queries import require_admin
from sharedcalling.services.hazards.watchlist import load_watchlist
from sharedcalling.services.planning import PlanPreview, preview_plan
from sharedcalling.services.requests import RequestDraft, RequestPolicy, actor_of, submit_request
from sharedcalling.services.unit_of_work import RecordNotFound

logger = logging.getLogger(__name__)

MAX_JUSTIFICATION = 500


@dataclass(frozen=True, slots=True)
class FixSubmitted:
    hazard: Hazard
    request: ChangeRequest
    preview: PlanPreview


@dataclass(frozen=True, slots=True)
class FixNotPossible:
    hazard: Hazard
    reason: str
    blocks: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class FixAlreadyPlanned:
    hazard: Hazard
    request: ChangeRequest


@dataclass(frozen=True, slots=True)
class HazardResolved:
    hazard: Hazard


FixResult = FixSubmitted | FixNotPossible | FixAlreadyPlanned | HazardResolved


async def _hazard(ports: WatchPorts, hazard_id: str) -> Hazard:
    async with ports.uow() as work:
        try:
            return await work.hazards.get(ports.tenant_id, hazard_id.strip())
        except RecordNotFound:
            # The id came from card data: not echoed back.
            raise InvalidInput(
                "There is no such hazard; type **hazards** to see the open ones."
            ) from None


async def _request(ports: WatchPorts, request_id: str) -> ChangeRequest | None:
    async with ports.uow() as work:
        try:
            return await work.requests.get(ports.tenant_id, RequestId(request_id))
        except RecordNotFound:
            return None


async def plan_fix(
    ports: WatchPorts,
    asker: Principal,
    hazard_id: str,
    *,
    after_submit: Callable[[ChangeRequest], Awaitable[None]],
    policy: RequestPolicy | None = None,
) -> FixResult:
    """Admins only (NotPermitted); UsersLocked when another open request holds the users."""
    require_admin(asker, ports.tenant_id)
    hazard = await _hazard(ports, hazard_id)
    early = await _without_plan(ports, hazard)
    if early is not None:
        return early
    base = await _request(ports, hazard.request_ids[0])
    if base is None:
        return FixNotPossible(hazard, f"Request {hazard.request_ids[0]} is no longer stored.")
    preview = await preview_plan(await _fix_desired(ports, hazard, base), tenant=ports.tenant)
    if preview.plan.blocked or preview.plan.is_empty:
        return _not_possible(hazard, preview)
    request = await _submit(ports, asker, hazard, base, preview, policy or RequestPolicy())
    await after_submit(request)
    return FixSubmitted(hazard, request, preview)


async def _without_plan(ports: WatchPorts, hazard: Hazard) -> FixResult | None:
    """The answers that need no plan: resolved, not known to be wrong, already being fixed."""
    if not hazard.is_open:
        return HazardResolved(hazard)
    if hazard.state is not HazardState.DRIFTED or not hazard.request_ids:
        return FixNotPossible(hazard, "Nothing is known to be wrong yet: the check cannot tell.")
    if hazard.fix_request_id:
        earlier = await _request(ports, hazard.fix_request_id)
        if earlier is not None and earlier.is_locking:
            return FixAlreadyPlanned(hazard, earlier)
    return None


async def _submit(
    ports: WatchPorts,
    asker: Principal,
    hazard: Hazard,
    base: ChangeRequest,
    preview: PlanPreview,
    policy: RequestPolicy,
) -> ChangeRequest:
    plan = preview.plan
    why = f"Fix hazard {hazard.id} ({hazard.code}): {hazard.message}"
    draft = RequestDraft(
        kind=RequestKind.FIX,
        desired=desired_to_json(plan.desired),
        plan=plan_to_json(plan),
        fingerprint=plan.fingerprint,
        user_ids=plan.changing_user_ids,
        justification=why[:MAX_JUSTIFICATION],
        parent_id=base.id,
    )
    actor = actor_of(asker)
    request = await submit_request(
        draft, actor=actor, uow=ports.uow, clock=ports.clock, policy=policy
    )
    async with ports.uow() as work:
        await work.hazards.set_fix_request(ports.tenant_id, hazard.id, request.id)
        await work.commit()
    logger.info("Hazard %s: fix request %s submitted by %s", hazard.id, request.id, actor.id)
    return request


async def _fix_desired(ports: WatchPorts, hazard: Hazard, base: ChangeRequest) -> DesiredState:
    """The base request's desired state, for the affected users it put on that policy."""
    desired = desired_from_json(base.desired)
    watchlist = await load_watchlist(ports.tenant_id, uow=ports.uow, apply_store=ports.apply_store)
    policy = names.policy_key(desired.policy_name)
    on_policy = {
        names.fold(w.user_id) for w in watchlist.users if names.policy_key(w.policy_name) == policy
    }
    users = tuple(
        UserId(names.fold(u)) for u in hazard.affected_user_ids if names.fold(u) in on_policy
    )
    extension = frozenset(
        u for u in desired.extension_dialing_user_ids if names.fold(u) in set(users)
    )
    return replace(desired, user_ids=users, extension_dialing_user_ids=extension)


def _not_possible(hazard: Hazard, preview: PlanPreview) -> FixNotPossible:
    blocks = tuple(f for f in preview.plan.findings if f.severity is Severity.BLOCK)
    if not blocks:
        return FixNotPossible(
            hazard, "The tenant already matches the plan; the next check closes the hazard."
        )
    reasons = "; ".join(f"{f.code}: {f.message}" for f in blocks[:5])
    return FixNotPossible(
        hazard, f"No planned change can fix this; fix it by hand: {reasons}", blocks
    )
