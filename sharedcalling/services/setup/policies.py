"""Set-up step 2: reuse a Shared Calling policy of the resource account, or name a new one."""

from __future__ import annotations

from dataclasses import dataclass

from sharedcalling.domain import names
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.setup import policy_name_problem
from sharedcalling.domain.tenant import GLOBAL_POLICY, SharedCallingPolicy, TenantSnapshot
from sharedcalling.services.ports import SnapshotScope, TenantGateway


@dataclass(frozen=True, slots=True)
class PolicyChoices:
    reusable: tuple[SharedCallingPolicy, ...]
    """Named policies that already point to the chosen resource account."""
    taken: tuple[str, ...]
    """Every Shared Calling policy name in the tenant (a new name must differ from all)."""


def policy_choices_of(snapshot: TenantSnapshot, account_id: UserId) -> PolicyChoices:
    policies = snapshot.shared_calling_policies.values()
    reusable = tuple(
        sorted(
            (
                p
                for p in policies
                if names.same(p.resource_account_id, account_id)
                and not names.same(p.name, GLOBAL_POLICY)
            ),
            key=lambda p: names.fold(p.name),
        )
    )
    return PolicyChoices(reusable, tuple(sorted((p.name for p in policies), key=names.fold)))


async def policy_choices(account_id: UserId, *, tenant: TenantGateway) -> PolicyChoices:
    return policy_choices_of(await tenant.snapshot(SnapshotScope()), account_id)


async def check_policy(
    account_id: UserId, *, reuse: str | None, new_name: str | None, tenant: TenantGateway
) -> tuple[str, bool]:
    """(policy name, whether it is new), checked again on the server.

    A reused policy must be one that points to this account; a new name must pass
    `policy_name_problem`. Giving both, or neither, is refused.
    """
    choices = await policy_choices(account_id, tenant=tenant)
    wanted_reuse = (reuse or "").strip()
    wanted_new = (new_name or "").strip()
    if wanted_reuse and wanted_new:
        raise InvalidInput("Either reuse a policy or name a new one, not both.")
    if wanted_reuse:
        found = next((p for p in choices.reusable if names.same(p.name, wanted_reuse)), None)
        if found is None:
            raise InvalidInput(
                f"{wanted_reuse} is not a Shared Calling policy of this resource account."
            )
        return found.name, False
    if not wanted_new:
        raise InvalidInput("Pick a policy to reuse, or type a name for a new policy.")
    problem = policy_name_problem(wanted_new, choices.taken)
    if problem is not None:
        raise InvalidInput(problem)
    return wanted_new, True
