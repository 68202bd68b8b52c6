"""The Shared Calling setup behind a caller-ID answer, judged by the plan's own rules.

The answer never keeps its own copy of a rule: it builds the rules `Context` a plan would build
for this user and their effective policy, runs the resource account and emergency checks of
`RULES`, and reads their findings. So the answer and the plan cannot disagree (issue 7).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sharedcalling.domain.callerid_model import Reason
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.rules.context import Context, build_context
from sharedcalling.domain.rules.model import Finding, Rule, Severity
from sharedcalling.domain.rules.registry import RULES
from sharedcalling.domain.tenant import SharedCallingPolicy, TenantSnapshot, User

OUTBOUND_CODES = ("SC-R01", "SC-R02", "SC-R03", "SC-R05", "SC-R06", "SC-R08")
"""Resource account rules whose BLOCK means the shared number cannot carry outside calls."""

CALLS_FAIL_CODES = frozenset({"SC-R01", "SC-R03", "SC-R06", "SC-R08"})
"""The causes of decision step 5 (docs/architecture.md): calls certainly fail. Other outbound
BLOCKs say calls may fail."""

EMERGENCY_CODES = (
    "SC-U08",
    "SC-R04",
    "SC-E01",
    "SC-E02",
    "SC-E03",
    "SC-E04",
    "SC-E05",
    "SC-E06",
    "SC-E07",
)
"""Rules about the emergency path: the user's ECRP, the RA number's location, the callback pool.

SC-U08 and SC-R04 count whatever their severity (the plan could fix them; today they are
wrong); the callback-number rules count when they BLOCK."""

_UNCERTAIN_PLANS = {
    "SC-R02": "Teams Phone Resource Account license",
    "SC-R06": "Pay-As-You-Go Calling Plan",
}
_ALWAYS = frozenset({"SC-U08", "SC-R04"})
_BY_CODE: Mapping[str, Rule] = {rule.code: rule for rule in RULES}


@dataclass(frozen=True, slots=True)
class SetupVerdict:
    """What the rules say about the setup one Shared Calling user depends on."""

    context: Context
    outbound: tuple[Reason, ...]
    """Why outside calls cannot go out through the resource account; empty when they can."""
    unknowns: tuple[Reason, ...]
    """Outbound prerequisites the backend's data cannot confirm (uncertain BLOCKs)."""
    emergency: tuple[Reason, ...]
    """Why emergency calling is not set up correctly; empty when it is."""
    no_auto_attendant: bool
    """SC-R10: callbacks to the shared number reach no auto attendant."""


def desired_for(
    user: User,
    policy: SharedCallingPolicy,
    *,
    extension_dialing: bool = False,
    number_countries: Mapping[str, str] | None = None,
) -> DesiredState:
    """The desired state a plan would check to keep `user` on `policy` as it is today."""
    resource_account = policy.resource_account_id
    if resource_account is None:
        raise ValueError(f"Shared Calling policy {policy.name} names no resource account")
    return DesiredState(
        resource_account_id=resource_account,
        policy_name=policy.name,
        user_ids=(user.id,),
        extension_dialing_user_ids=frozenset({user.id}) if extension_dialing else frozenset(),
        number_countries=number_countries or {},
    )


def judge_setup(
    user: User,
    policy: SharedCallingPolicy,
    snapshot: TenantSnapshot,
    *,
    extension_dialing: bool = False,
    number_countries: Mapping[str, str] | None = None,
) -> SetupVerdict:
    """Run the resource account and emergency rules for `user` on their effective `policy`."""
    desired = desired_for(
        user, policy, extension_dialing=extension_dialing, number_countries=number_countries
    )
    ctx = build_context(desired, snapshot)
    blocks = [f for f in _run(ctx, OUTBOUND_CODES) if f.severity is Severity.BLOCK]
    outbound = [f for f in blocks if not f.uncertain]
    emergency = [
        f for f in _run(ctx, EMERGENCY_CODES) if f.code in _ALWAYS or f.severity is Severity.BLOCK
    ]
    return SetupVerdict(
        context=ctx,
        outbound=tuple(_reason(ctx, f) for f in outbound),
        unknowns=tuple(_reason(ctx, f) for f in blocks if f.uncertain),
        emergency=tuple(_reason(ctx, f) for f in emergency),
        no_auto_attendant=any(True for _ in _run(ctx, ("SC-R10",))),
    )


def _run(ctx: Context, codes: Iterable[str]) -> list[Finding]:
    return [finding for code in codes for finding in _BY_CODE[code].check(ctx)]


def _reason(ctx: Context, finding: Finding) -> Reason:
    """The finding in the answer's words where the plan's wording would mislead ("the plan
    grants ..."): the verdict is the rule's, only the sentence differs."""
    ra = ctx.ra_subject.display
    number = ctx.ra_number
    if finding.uncertain:
        plan = _UNCERTAIN_PLANS.get(finding.code, "its license")
        return Reason(
            f"cannot tell whether {ra}'s {plan} is provisioned; the backend does not report it",
            finding.code,
        )
    if finding.code == "SC-U08":
        policy = ctx.users[0].ecrp.name if ctx.users else None
        if policy is None or ctx.snapshot.emergency_routing_policy(policy) is None:
            # Missing is not the same fix as unsuitable: there is nothing to edit, one must exist.
            named = f" ({policy} does not exist)" if policy else ""
            return Reason(f"no emergency call routing policy is in force{named}", finding.code)
        kind = number.number_type.value if number is not None else "resource account"
        text = f"emergency call routing policy {policy} does not suit {ra}'s {kind} number"
        return Reason(text, finding.code)
    if finding.code == "SC-R04" and number is not None:
        return Reason(f"{number.telephone_number} of {ra} has no emergency location", "SC-R04")
    if finding.code == "SC-R08":
        return Reason(f"{ra} has no voice routing policy with PSTN usages", "SC-R08")
    return Reason(finding.message.rstrip("."), finding.code)
