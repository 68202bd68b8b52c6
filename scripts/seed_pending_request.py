"""Seed a pending Shared Calling request in the bot's database, for demos and screenshots.

Usage: .venv/bin/python scripts/seed_pending_request.py [--users N]
Uses the same settings as `make run` (DATABASE_URL etc.); prints the request id. The request is
Megan's (the demo admin): Diego plus N-1 generated users on policy Seattle, announced at the
next `approval.announce` round of a running bot (or at once when the bot is this process).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sharedcalling.bootstrap import build_services
from sharedcalling.config import load_settings
from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.ids import UserId
from sharedcalling.services.approvals.drafts import prepare_request
from sharedcalling.services.requests import actor_of, submit_request

MEGAN = "00000000-0000-4000-8000-000000000001"
DIEGO = UserId("00000000-0000-4000-8000-000000000005")
RA_MAINLINE = UserId("00000000-0000-4000-8000-000000000051")


async def seed(users: int) -> str:
    settings = load_settings(os.environ)
    async with build_services(settings) as services:
        generated = [UserId(f"00000000-0000-4000-9000-{n:012d}") for n in range(1, users)]
        desired = DesiredState(
            resource_account_id=RA_MAINLINE, policy_name="Seattle", user_ids=(DIEGO, *generated)
        )
        first = await prepare_request(desired, tenant=services.tenant, justification="")
        attested = [f"{f.code}:{f.subject.id}" for f in first.preview.plan.attestations]
        prepared = await prepare_request(
            desired,
            tenant=services.tenant,
            justification="Floor 3 pilot: front desk and sales call out as the main line",
            attested=attested,
        )
        principal = await services.resolve_principal(services.tenant_id, MEGAN)
        request = await submit_request(
            prepared.draft,
            actor=actor_of(principal),
            uow=services.uow,
            clock=services.clock,
            policy=services.approval_policy.request_policy,
        )
        return request.id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=12)
    args = parser.parse_args()
    sys.stdout.write(asyncio.run(seed(max(1, args.users))) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
