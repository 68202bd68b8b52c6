import asyncio, time
from sharedcalling.services.ports import SnapshotScope
from tests.fakes.fake_graph import graph_stack

async def main():
    async with graph_stack() as s:
        t=time.perf_counter()
        snap = await s.gateway.snapshot(SnapshotScope(all_users=True))
        print("all", len(snap.users), len(snap.numbers), len(snap.groups), len(snap.subscribed_skus), s.fake.requests, dict(s.fake.calls), time.perf_counter()-t)
        s.fake.reset_counters()
        snap2 = await s.gateway.snapshot(SnapshotScope(user_ids=["00000000-0000-4000-8000-000000000001"]))
        print("scoped", len(snap2.users), s.fake.requests, dict(s.fake.calls))
        emu = await s.fake.tenant.snapshot(SnapshotScope(all_users=True))
        diff = [u for u in emu.users if emu.users[u] != snap.users.get(u)]
        print("diff users", len(diff))
        for u in diff[:3]:
            print(emu.users[u]); print(snap.users.get(u))
        print("numbers equal", dict(emu.numbers)==dict(snap.numbers))
        for k in emu.numbers:
            if emu.numbers[k]!=snap.numbers.get(k): print(emu.numbers[k]); print(snap.numbers.get(k)); break
        print("groups equal", dict(emu.groups)==dict(snap.groups), "skus", emu.subscribed_skus==snap.subscribed_skus)
        print(await s.gateway.get_user("MeganB@contoso.example"))
        print([u.user_principal_name for u in await s.gateway.search_users("ad")])
        print([u.user_principal_name for u in await s.gateway.list_resource_accounts()])
        print("tokens", dict(s.login.calls))
asyncio.run(main())
