"""What the hazard watch checks: the policies and users our applied requests set up.

"Configured by a request of ours" means in a request that reached APPLIED or
PARTIALLY_APPLIED. The newest such request wins for a user and for a policy, so a later fix
or change becomes what is expected. Users a request did not configure are not watched on its
strength: those its plan left out (blocked) and those whose changes failed when it was applied.
An applied revert undoes the request it reverts: that request no longer counts, and the users
the revert set back are not watched on the strength of any older request either.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sharedcalling.domain import names
from sharedcalling.domain.apply import UserOutcome, user_results
from sharedcalling.domain.hazards import PolicyWatch, UserWatch, Watchlist
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.planning.codec import desired_from_json
from sharedcalling.domain.requests import ChangeRequest, RequestKind, RequestState
from sharedcalling.domain.rules.model import SubjectKind
from sharedcalling.services.apply.replan import revert_targets_from_json
from sharedcalling.services.apply.store import ApplyStore
from sharedcalling.services.apply.views import change_results, findings_of
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


async def failed_users(
    requests: Iterable[ChangeRequest], store: ApplyStore
) -> dict[RequestId, frozenset[str]]:
    """Folded ids of the users whose changes failed, per partially applied request, as its
    apply job recorded them (an APPLIED request has none; a request without a job, none)."""
    failed: dict[RequestId, frozenset[str]] = {}
    for request in requests:
        if request.state is not RequestState.PARTIALLY_APPLIED:
            continue
        job = await store.get_job(request.id)
        if job is None:
            continue
        results = user_results(change_results(await store.rows(job.id)), findings_of(job.report))
        failed[request.id] = frozenset(
            names.fold(r.user_id) for r in results if r.outcome is UserOutcome.FAILED
        )
    return failed


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


@dataclass(frozen=True, slots=True)
class _Undone:
    """Which users of a request a newer revert undid: everyone but `kept` (their revert
    failed), or, when that revert was itself partly reverted, `only` these."""

    kept: frozenset[str] = frozenset()
    only: frozenset[str] | None = None

    def covers(self, user: str) -> bool:
        return user in self.only if self.only is not None else user not in self.kept


class _Builder:
    """Requests newest first: the first to claim a user or a policy wins."""

    def __init__(
        self, requests: list[ChangeRequest], failed: Mapping[RequestId, frozenset[str]]
    ) -> None:
        self._kinds = {r.id: r.kind for r in requests}
        self._failed = failed
        self.users: dict[str, UserWatch] = {}
        self.policies: dict[str, PolicyWatch] = {}
        self.accepted: dict[str, frozenset[str]] = {}
        self._undone: dict[RequestId, _Undone] = {}
        self._set_back: set[str] = set()
        """Users a newer revert set back: no older request claims them."""

    def add(self, request: ChangeRequest) -> None:
        if request.kind is RequestKind.REVERT:
            self._revert(request)
        else:
            self._setup(request)

    def _setup(self, request: ChangeRequest) -> None:
        try:
            desired = desired_from_json(request.desired)
        except ValueError:
            logger.warning("Request %s: desired state unreadable; not watched", request.id)
            return
        undone = self._undone.get(request.id)
        left_out = _blocked(request.plan) | self._failed.get(request.id, frozenset())
        extension = {names.fold(u) for u in desired.extension_dialing_user_ids}
        claimed = 0
        for user_id in desired.user_ids:
            key = names.fold(user_id)
            if key in left_out or key in self.users or key in self._set_back:
                continue
            if undone is not None and undone.covers(key):
                continue
            self.users[key] = UserWatch(
                UserId(key), desired.policy_name, request.id, extension_dialing=key in extension
            )
            claimed += 1
        if undone is not None and not claimed:
            return  # reverted: the policy is watched only for an older request that uses it
        policy = names.policy_key(desired.policy_name)
        # Warnings any of our plans for this policy showed were known at set-up.
        self.accepted[policy] = self.accepted.get(policy, frozenset()) | accepted_warnings(
            request.plan
        )
        if policy not in self.policies:
            self.policies[policy] = PolicyWatch(
                policy_name=desired.policy_name,
                resource_account_id=desired.resource_account_id,
                emergency_numbers=desired.emergency_numbers,
                request_id=request.id,
            )

    def _revert(self, request: ChangeRequest) -> None:
        try:
            targets = revert_targets_from_json(request.desired)
        except (ValueError, KeyError, TypeError):
            logger.warning("Request %s: revert targets unreadable; not watched", request.id)
            return
        parent = request.parent_id or request.desired.get("revert_of")
        if not isinstance(parent, str):
            return
        failed = self._failed.get(request.id, frozenset())
        undone = self._undone.get(request.id)
        # The users this revert wrote back, as far as it succeeded and still stands.
        stands = frozenset(
            key
            for change in targets
            if change.subject.kind is SubjectKind.USER
            and (key := names.fold(change.subject.id)) not in failed
            and (undone is None or not undone.covers(key))
        )
        # Of two reverts of the same request, the newer (met first) decides.
        self._undone.setdefault(
            RequestId(parent), _Undone(kept=failed) if undone is None else _Undone(only=stands)
        )
        # A revert of a revert puts the set-up back: its users are watched as that set-up
        # configured them, so they are not set back.
        if self._kinds.get(RequestId(parent)) is not RequestKind.REVERT:
            self._set_back |= stands


def build_watchlist(
    requests: Iterable[ChangeRequest], failed: Mapping[RequestId, frozenset[str]] | None = None
) -> Watchlist:
    """Newest request first wins, per user and per policy; `failed` are the users whose changes
    failed, per request (`failed_users`). Requests whose stored form cannot be read are skipped
    with a warning (they were written by a format we do not know)."""
    ordered = list(requests)
    builder = _Builder(ordered, failed or {})
    for request in ordered:
        builder.add(request)
    return _with_users(builder.policies, builder.users, builder.accepted)


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


async def load_watchlist(
    tenant_id: TenantId, *, uow: UnitOfWorkFactory, apply_store: ApplyStore
) -> Watchlist:
    requests = await applied_requests(tenant_id, uow=uow)
    return build_watchlist(requests, await failed_users(requests, apply_store))
