"""Shared parts of the hazard tests: a recording notifier, a stepping clock, applied requests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import RequestId, TenantId, UserId
from sharedcalling.domain.planning import Plan
from sharedcalling.domain.planning.codec import desired_to_json
from sharedcalling.domain.requests import Actor, ChangeRequest, RequestEvent, RequestKind
from sharedcalling.services.apply.store import ApplyStore
from sharedcalling.services.changes import apply_changes
from sharedcalling.services.exports.json_export import plan_to_json
from sharedcalling.services.hazards.check import WatchPorts
from sharedcalling.services.hazards.presenter import HazardSettings, HazardWatch
from sharedcalling.services.notifier import Delivery, Notifier, OutboundMessage, Unreachable
from sharedcalling.services.planning import preview_plan
from sharedcalling.services.ports import Clock
from sharedcalling.services.requests import RequestDraft, apply_event, submit_request
from sharedcalling.services.unit_of_work import ConversationRef, UnitOfWorkFactory
from tests.demo_ids import ALEX, MEGAN, RA_MAINLINE, VOICE_ADMINS

TENANT = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
MEGAN_ACTOR = Actor(TENANT, MEGAN, "Megan Bowen", is_admin=True)
ALEX_ACTOR = Actor(TENANT, ALEX, "Alex Wilber", is_approver=True)
SYSTEM = Actor.system(TENANT)


def generated(n: int) -> UserId:
    return UserId(f"00000000-0000-4000-9000-{n:012d}")


class SteppingClock(Clock):
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@dataclass
class Sent:
    to: str
    message: OutboundMessage


@dataclass
class RecordingNotifier(Notifier):
    """Reaches the people it is told are reachable; records every send and update."""

    reachable: set[str] = field(default_factory=set)
    sent: list[Sent] = field(default_factory=list)
    updates: list[tuple[Delivery, OutboundMessage]] = field(default_factory=list)
    conversations: list[ConversationRef] = field(default_factory=list)

    async def send_to_user(
        self, tenant_id: TenantId, user_id: UserId, message: OutboundMessage
    ) -> Delivery:
        if user_id.lower() not in self.reachable:
            raise Unreachable(f"no chat with {user_id}")
        self.sent.append(Sent(user_id.lower(), message))
        return Delivery(f"a:{user_id.lower()}", f"act-{len(self.sent)}")

    async def send_to_conversation(
        self, ref: ConversationRef, message: OutboundMessage
    ) -> Delivery:
        self.sent.append(Sent(ref.conversation_id, message))
        self.conversations.append(ref)
        return Delivery(ref.conversation_id, f"act-{len(self.sent)}")

    async def update(
        self, tenant_id: TenantId, delivery: Delivery, message: OutboundMessage
    ) -> None:
        self.updates.append((delivery, message))

    def to(self, who: str) -> list[OutboundMessage]:
        return [s.message for s in self.sent if s.to == who.lower()]


def make_ports(
    tenant: EmulatedTenantGateway,
    uow: UnitOfWorkFactory,
    clock: Clock,
    notifier: Notifier,
    settings: HazardSettings | None = None,
    *,
    apply_store: ApplyStore,
) -> WatchPorts:
    return WatchPorts(
        tenant_id=TENANT,
        tenant=tenant,
        uow=uow,
        clock=clock,
        notifier=notifier,
        watch=HazardWatch(settings or HazardSettings()),
        admin_group_id=VOICE_ADMINS,
        apply_store=apply_store,
    )


async def remember_chat(uow: UnitOfWorkFactory, user_id: str, at: datetime) -> None:
    """The person has a personal chat with the bot (as a turn would have recorded)."""
    ref = ConversationRef(
        tenant_id=TENANT,
        conversation_id=f"a:{user_id.lower()}",
        conversation_type="personal",
        user_id=UserId(user_id.lower()),
        reference={"conversation": {"id": f"a:{user_id.lower()}"}},
        updated_at=at,
    )
    async with uow() as work:
        await work.conversations.remember(ref)
        await work.commit()


async def submit_plan(
    plan: Plan, uow: UnitOfWorkFactory, clock: Clock, *, kind: RequestKind = RequestKind.SETUP
) -> ChangeRequest:
    draft = RequestDraft(
        kind=kind,
        desired=desired_to_json(plan.desired),
        plan=plan_to_json(plan),
        fingerprint=plan.fingerprint,
        user_ids=plan.changing_user_ids,
        justification="Shared Calling for the pilot",
    )
    return await submit_request(draft, actor=MEGAN_ACTOR, uow=uow, clock=clock)


async def approve_and_apply(
    request_id: RequestId,
    plan: Plan,
    tenant: EmulatedTenantGateway,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> ChangeRequest:
    """APPROVE (an approver), START_APPLY, the writes, COMPLETE (the bot itself)."""
    await apply_event(
        TENANT, request_id, RequestEvent.APPROVE, actor=ALEX_ACTOR, uow=uow, clock=clock,
        fingerprint=plan.fingerprint,
    )  # fmt: skip
    await apply_event(
        TENANT, request_id, RequestEvent.START_APPLY, actor=SYSTEM, uow=uow, clock=clock
    )
    await apply_changes(plan.changes, tenant=tenant)
    done = await apply_event(
        TENANT, request_id, RequestEvent.COMPLETE, actor=SYSTEM, uow=uow, clock=clock
    )
    return done.request


async def applied_setup(
    tenant: EmulatedTenantGateway,
    uow: UnitOfWorkFactory,
    clock: Clock,
    users: Sequence[UserId],
    *,
    policy: str = "Seattle",
    emergency_numbers: tuple[str, ...] | None = None,
) -> ChangeRequest:
    """A set-up request of ours for `users` on ra-mainline, submitted, approved and applied."""
    desired = DesiredState(
        resource_account_id=RA_MAINLINE,
        policy_name=policy,
        user_ids=tuple(users),
        emergency_numbers=emergency_numbers,
    )
    preview = await preview_plan(desired, tenant=tenant)
    assert not preview.plan.blocked, preview.plan.findings
    request = await submit_plan(preview.plan, uow, clock)
    return await approve_and_apply(request.id, preview.plan, tenant, uow, clock)
