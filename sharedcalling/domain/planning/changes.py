"""Change variants of the plan (catalogue in docs/rules.md), each with before and after."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from sharedcalling.domain.ids import GroupId, UserId
from sharedcalling.domain.rules.model import ChangeKind, Subject, SubjectKind
from sharedcalling.domain.tenant import (
    EmergencyCallRoutingPolicy,
    PolicyType,
    SharedCallingPolicy,
    VoiceRoutingPolicy,
)

JsonValue: TypeAlias = str | int | bool | list["JsonValue"] | dict[str, "JsonValue"] | None
Fact: TypeAlias = dict[str, JsonValue]


@dataclass(frozen=True, slots=True)
class EnableVoice:
    """`user.enable_voice`: Set-CsPhoneNumberAssignment -EnterpriseVoiceEnabled $true."""

    subject: Subject
    kind: ChangeKind = ChangeKind.ENABLE_VOICE

    @property
    def user_id(self) -> UserId:
        return UserId(self.subject.id)

    def as_fact(self) -> Fact:
        return _fact(self.kind, self.subject, before=False, after=True)


@dataclass(frozen=True, slots=True)
class DisableVoice:
    """`user.disable_voice`: Set-CsPhoneNumberAssignment -EnterpriseVoiceEnabled $false.

    Only a revert plans it, for a user whose enterprise voice the reverted request enabled.
    """

    subject: Subject
    kind: ChangeKind = ChangeKind.DISABLE_VOICE

    @property
    def user_id(self) -> UserId:
        return UserId(self.subject.id)

    def as_fact(self) -> Fact:
        return _fact(self.kind, self.subject, before=True, after=False)


@dataclass(frozen=True, slots=True)
class SetNumberLocation:
    """`ra.set_location`: set the emergency location of the resource account's number."""

    subject: Subject
    telephone_number: str
    before: str | None
    location_id: str
    kind: ChangeKind = ChangeKind.RA_SET_LOCATION

    def as_fact(self) -> Fact:
        fact = _fact(self.kind, self.subject, before=self.before, after=self.location_id)
        fact["number"] = self.telephone_number
        return fact


@dataclass(frozen=True, slots=True)
class GrantPolicy:
    """A direct grant: `ra.grant_vrp`, `user.grant_vrp`, `user.grant_ecrp` or `scp.grant_user`.

    `before` is the effective policy with how it won (e.g. `Global`, `Seattle (group ...)`).
    `policy_name` None removes the direct assignment (`-PolicyName $null`): only reverts do.
    """

    kind: ChangeKind
    subject: Subject
    policy_type: PolicyType
    before: str
    policy_name: str | None

    @property
    def account_id(self) -> UserId:
        return UserId(self.subject.id)

    def as_fact(self) -> Fact:
        fact = _fact(self.kind, self.subject, before=self.before, after=self.policy_name)
        fact["policy_type"] = self.policy_type.value
        return fact


@dataclass(frozen=True, slots=True)
class GrantGroupPolicy:
    """`scp.grant_group`: a group policy assignment (`Grant-Cs... -Group <id> -Rank <n>`).

    `before` is the policy the group held for that type at that rank, or None.
    """

    subject: Subject
    policy_type: PolicyType
    policy_name: str
    rank: int
    before: str | None = None
    kind: ChangeKind = ChangeKind.SCP_GRANT_GROUP

    @property
    def group_id(self) -> GroupId:
        return GroupId(self.subject.id)

    def as_fact(self) -> Fact:
        after: Fact = {"policy": self.policy_name, "rank": self.rank}
        fact = _fact(self.kind, self.subject, before=self.before, after=after)
        fact["policy_type"] = self.policy_type.value
        return fact


@dataclass(frozen=True, slots=True)
class CreateVoiceRoutingPolicy:
    """`vrp.create_empty`: New-CsOnlineVoiceRoutingPolicy without PSTN usages."""

    policy: VoiceRoutingPolicy
    kind: ChangeKind = ChangeKind.VRP_CREATE_EMPTY

    @property
    def subject(self) -> Subject:
        return Subject(SubjectKind.POLICY, self.policy.name, self.policy.name)

    def as_fact(self) -> Fact:
        after: Fact = {"name": self.policy.name, "pstn_usages": list(self.policy.pstn_usages)}
        return _fact(self.kind, self.subject, before=None, after=after)


@dataclass(frozen=True, slots=True)
class CreateEmergencyCallRoutingPolicy:
    """`ecrp.create`: New-CsTeamsEmergencyNumber + New-CsTeamsEmergencyCallRoutingPolicy."""

    policy: EmergencyCallRoutingPolicy
    kind: ChangeKind = ChangeKind.ECRP_CREATE

    @property
    def subject(self) -> Subject:
        return Subject(SubjectKind.POLICY, self.policy.name, self.policy.name)

    def as_fact(self) -> Fact:
        numbers: list[JsonValue] = [
            {"dial_string": n.dial_string, "dial_mask": n.dial_mask, "pstn_usage": n.pstn_usage}
            for n in self.policy.emergency_numbers
        ]
        after: Fact = {"name": self.policy.name, "emergency_numbers": numbers}
        return _fact(self.kind, self.subject, before=None, after=after)


@dataclass(frozen=True, slots=True)
class CreateSharedCallingPolicy:
    """`scp.create`: New-CsTeamsSharedCallingRoutingPolicy with its RA and emergency numbers."""

    policy: SharedCallingPolicy
    resource_account: Subject
    kind: ChangeKind = ChangeKind.SCP_CREATE

    @property
    def subject(self) -> Subject:
        return Subject(SubjectKind.POLICY, self.policy.name, self.policy.name)

    def as_fact(self) -> Fact:
        after: Fact = {
            "name": self.policy.name,
            "resource_account_id": self.policy.resource_account_id,
            "emergency_numbers": list(self.policy.emergency_numbers),
        }
        return _fact(self.kind, self.subject, before=None, after=after)


@dataclass(frozen=True, slots=True)
class UpdateEmergencyNumbers:
    """`scp.remove_numbers` / `scp.add_numbers`: a delta, never a wholesale replacement."""

    kind: ChangeKind
    policy_name: str
    numbers: tuple[str, ...]
    before: tuple[str, ...]
    after: tuple[str, ...]

    @property
    def subject(self) -> Subject:
        return Subject(SubjectKind.POLICY, self.policy_name, self.policy_name)

    def as_fact(self) -> Fact:
        fact = _fact(self.kind, self.subject, before=list(self.before), after=list(self.after))
        fact["numbers"] = list(self.numbers)
        return fact


Change: TypeAlias = (
    EnableVoice
    | DisableVoice
    | SetNumberLocation
    | GrantPolicy
    | GrantGroupPolicy
    | CreateVoiceRoutingPolicy
    | CreateEmergencyCallRoutingPolicy
    | CreateSharedCallingPolicy
    | UpdateEmergencyNumbers
)


def _fact(kind: ChangeKind, subject: Subject, *, before: JsonValue, after: JsonValue) -> Fact:
    """The change as JSON facts; display strings are left out so a renamed person does not
    invalidate an approval."""
    return {
        "change": kind.value,
        "subject": {"kind": subject.kind.value, "id": subject.id},
        "before": before,
        "after": after,
    }
