"""Graph requests of one caller-ID turn ("which number do I call out as?"), counted.

    PYTHONPATH=. .venv/bin/python -m bench.bench_callerid_graph

Runs the turn's two use cases (who is asking, then the answer) through GraphTenantGateway
against the loopback fake Graph and prints the HTTP requests each made (a `$batch` counts once,
as Graph's throttling counts it) and the requests inside the batches. The PowerShell half of the
graph+powershell backend (policy definitions) is not part of these counts.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from sharedcalling.services import callerid, identity
from tests.fakes.fake_graph import DEMO_GROUP_IDS, FakeGraph, graph_stack

ADELE = "00000000-0000-4000-8000-000000000003"


def _line(step: str, fake: FakeGraph) -> str:
    inner = sum(fake.batch_items.values())
    kinds = ", ".join(f"{kind} x{n}" for kind, n in sorted(Counter(fake.calls).items()))
    return f"| {step} | {fake.requests} | {inner} | {kinds} |"


async def main() -> None:
    async with graph_stack() as stack:
        await stack.gateway.list_numbers()  # sign in first: the token is not part of the turn
        stack.fake.reset_counters()
        asker = await identity.resolve_principal(
            stack.gateway.tenant_id, ADELE, tenant=stack.gateway,
            admin_group_id=DEMO_GROUP_IDS[0], approver_group_id=DEMO_GROUP_IDS[1],
        )  # fmt: skip
        print("| step | HTTP requests | requests inside $batch | endpoints |\n|---|---:|---:|---|")
        print(_line("who is asking (user, two role groups)", stack.fake))
        stack.fake.reset_counters()
        result = await callerid.explain_caller_id(asker, None, tenant=stack.gateway)
        print(_line(f"the answer ({type(result).__name__})", stack.fake))


if __name__ == "__main__":
    asyncio.run(main())
