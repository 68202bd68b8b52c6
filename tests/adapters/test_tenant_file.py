"""Tenant files (the seed format): strict reading, deterministic writing, seeding from a path."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.adapters.tenant.emulated_codec import KINDS
from sharedcalling.adapters.tenant.emulated_memory import InMemoryTenantStateStore
from sharedcalling.adapters.tenant.emulated_seed import seed_identity, seed_objects
from sharedcalling.adapters.tenant.emulated_tenant_export import tenant_file_text
from sharedcalling.adapters.tenant.emulated_tenant_file import (
    FILE_KINDS,
    TOP_LEVEL,
    TenantFileError,
    read_tenant_file,
)
from sharedcalling.domain.tenant import (
    EmergencyNumber,
    License,
    PolicyRef,
    PolicyType,
    ServicePlan,
    SharedCallingPolicy,
)
from sharedcalling.services.ports import SnapshotScope, TenantGateway
from tests.demo_ids import DIEGO, PRADEEP, RA_BERLIN

EVERYTHING = SnapshotScope(all_users=True)


async def exported(gateway: TenantGateway) -> str:
    return tenant_file_text(gateway.tenant_id, await gateway.snapshot(EVERYTHING))


@pytest.fixture
async def demo_file(tmp_path: Path) -> Path:
    path = tmp_path / "tenant.json"
    path.write_text(await exported(EmulatedTenantGateway.seeded()), encoding="utf-8")
    return path


def edited(path: Path, edit: Any) -> Path:
    document = json.loads(path.read_text(encoding="utf-8"))
    edit(document)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def first(document: dict[str, Any], kind: str) -> dict[str, Any]:
    entry: dict[str, Any] = document["objects"][kind][0]
    return entry


def add_to(kind: str, entry: dict[str, Any]) -> Any:
    return lambda document: document["objects"][kind].append(entry)


# --------------------------------------------------------------------------- round trips


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


async def test_export_seed_export_is_byte_identical(demo_file: Path) -> None:
    text = read(demo_file)
    again = await exported(EmulatedTenantGateway.seeded(str(demo_file)))
    assert again == text
    assert text.count("\n") > 1000  # one object per line: 1,020 accounts and more


async def test_a_snapshot_seeded_from_a_file_equals_the_tenant_it_was_exported_from(
    demo_file: Path,
) -> None:
    original = await EmulatedTenantGateway.seeded().snapshot(EVERYTHING)
    copy = await EmulatedTenantGateway.seeded(str(demo_file)).snapshot(EVERYTHING)
    assert copy.users == original.users
    assert copy.numbers == original.numbers
    assert copy.shared_calling_policies == original.shared_calling_policies
    assert copy.subscribed_skus == original.subscribed_skus
    assert copy.tenant_id == original.tenant_id


async def test_the_cloud_round_trips(demo_file: Path) -> None:
    edited(demo_file, lambda d: d.update(cloud="gcc"))
    gateway = EmulatedTenantGateway.seeded(str(demo_file))
    assert (await gateway.snapshot(SnapshotScope())).cloud == "gcc"
    assert json.loads(await exported(gateway))["cloud"] == "gcc"


async def test_the_export_reads_only_the_port_so_any_backend_exports(tmp_path: Path) -> None:
    """Through the graph+powershell composite (fake Graph, stand-in PowerShell worker)."""
    from sharedcalling.adapters.tenant.composite import CompositeTenantGateway
    from sharedcalling.adapters.tenant.powershell import PowerShellTenantGateway
    from sharedcalling.adapters.tenant.powershell_worker import PowerShellWorker
    from tests.fakes.fake_graph import graph_stack
    from tests.fakes.standin_worker import in_process_launcher

    async with graph_stack(EmulatedTenantGateway.seeded()) as stack:
        tenant = stack.fake.tenant
        worker = PowerShellWorker(in_process_launcher(tenant, after_write=stack.fake.refresh))
        composite = CompositeTenantGateway(
            stack.gateway, PowerShellTenantGateway(worker, tenant.tenant_id)
        )
        try:
            text = await exported(composite)
        finally:
            await worker.close()
    # A valid tenant file, which seeds a tenant that exports the same file again.
    document = json.loads(text)
    assert len(document["objects"]["user"]) == 1020
    path = tmp_path / "graph.json"
    path.write_text(text, encoding="utf-8")
    assert await exported(EmulatedTenantGateway.seeded(str(path))) == text


# --------------------------------------------------------------------------- bad files


def problem_of(path: Path) -> str:
    with pytest.raises(TenantFileError) as caught:
        read_tenant_file(path)
    message = str(caught.value)
    assert message.startswith(f"tenant file {path}: ")
    assert "\n" not in message
    return message.removeprefix(f"tenant file {path}: ")


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert problem_of(tmp_path / "nope.json").startswith("the file: cannot be read")


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tenant.json"
    path.write_text("{objects: []", encoding="utf-8")
    assert problem_of(path).startswith("the file: is not JSON")


def test_an_unknown_top_level_field_is_refused(demo_file: Path) -> None:
    edited(demo_file, lambda d: d.update(comment="what if"))
    assert problem_of(demo_file) == 'the file: unknown field "comment"'


def test_an_unknown_kind_is_refused(demo_file: Path) -> None:
    edited(demo_file, lambda d: d["objects"].update(printer=[]))
    assert problem_of(demo_file) == 'objects: unknown kind "printer"'


def test_an_unknown_field_is_refused_naming_the_item(demo_file: Path) -> None:
    edited(demo_file, lambda d: first(d, "user").update(favourite_colour="red"))
    assert problem_of(demo_file) == (
        'user #1 (00000000-0000-4000-8000-000000000001): unknown field "favourite_colour"'
    )


def test_a_missing_field_is_refused(demo_file: Path) -> None:
    edited(demo_file, lambda d: first(d, "number").pop("number_type"))
    assert problem_of(demo_file) == 'number #1 (+14255550100): missing field "number_type"'


def test_a_value_of_the_wrong_kind_is_refused(demo_file: Path) -> None:
    edited(demo_file, lambda d: first(d, "user").update(enterprise_voice_enabled="yes"))
    assert problem_of(demo_file).endswith('field "enterprise_voice_enabled": is not true or false')


def test_an_unknown_enum_value_is_refused(demo_file: Path) -> None:
    edited(demo_file, lambda d: first(d, "number").update(number_type="Carrier"))
    assert problem_of(demo_file) == (
        "number #1 (+14255550100): field \"number_type\": 'Carrier' is not one of CallingPlan, "
        "OperatorConnect, DirectRouting"
    )


def test_a_duplicate_id_is_refused(demo_file: Path) -> None:
    def duplicate(document: dict[str, Any]) -> None:
        twin = dict(first(document, "user"), user_principal_name="twin@contoso.example")
        document["objects"]["user"].append(twin)

    edited(demo_file, duplicate)
    assert problem_of(demo_file) == (
        "user #1021 (00000000-0000-4000-8000-000000000001): duplicate user "
        "00000000-0000-4000-8000-000000000001 (first at #1)"
    )


def test_a_duplicate_user_principal_name_is_refused(demo_file: Path) -> None:
    def duplicate(document: dict[str, Any]) -> None:
        twin = dict(first(document, "user"), id="00000000-0000-4000-8000-000000000099")
        twin["user_principal_name"] = twin["user_principal_name"].upper()
        document["objects"]["user"].append(twin)

    edited(demo_file, duplicate)
    assert "duplicate user principal name meganb@contoso.example" in problem_of(demo_file)


def test_a_policy_naming_an_unknown_resource_account_is_refused(demo_file: Path) -> None:
    ghost = "00000000-0000-4000-8000-000000000098"
    policy = {"name": "Ghost", "resource_account_id": ghost}
    edited(demo_file, add_to("shared_calling_policy", policy))
    assert problem_of(demo_file) == (
        f"shared_calling_policy (Ghost): names resource account {ghost}, which is not in the file"
    )


def test_a_policy_naming_a_user_instead_of_a_resource_account_is_refused(demo_file: Path) -> None:
    policy = {"name": "Odd", "resource_account_id": DIEGO}
    edited(demo_file, add_to("shared_calling_policy", policy))
    assert problem_of(demo_file).endswith(f"names {DIEGO}, which is not a resource account")


@pytest.mark.parametrize("bad", ["4255550100", "+1 425 555 0100", "+1425555;ext=x", ""])
def test_a_malformed_number_is_refused(demo_file: Path, bad: str) -> None:
    edited(demo_file, lambda d: first(d, "number").update(telephone_number=bad))
    assert "is not an E.164 number" in problem_of(demo_file)


def test_a_malformed_emergency_number_is_refused(demo_file: Path) -> None:
    policy = {"name": "Bad", "resource_account_id": RA_BERLIN, "emergency_numbers": ["911"]}
    edited(demo_file, add_to("shared_calling_policy", policy))
    assert problem_of(demo_file) == (
        "shared_calling_policy #4 (Bad): emergency number '911' is not an E.164 number"
    )


def test_another_format_and_a_bad_tenant_id_are_refused(demo_file: Path) -> None:
    edited(demo_file, lambda d: d.update(format=2))
    assert problem_of(demo_file).startswith("the file: has format 2")
    edited(demo_file, lambda d: d.update(format=1, tenant_id="contoso"))
    assert problem_of(demo_file) == "tenant_id: is not a GUID"


def test_the_shipped_seed_passes_the_same_checks() -> None:
    assert len(seed_objects("contoso")) > 1000


# --------------------------------------------------------------------------- seeding a store


async def test_a_store_follows_an_edited_tenant_file(demo_file: Path) -> None:
    store = InMemoryTenantStateStore()
    gateway = await EmulatedTenantGateway.open(store, seed=str(demo_file))
    await gateway.set_enterprise_voice(DIEGO, True)
    reopened = await EmulatedTenantGateway.open(store, seed=str(demo_file))
    assert (await reopened.get_user(DIEGO)).enterprise_voice_enabled  # same file: state kept

    before = seed_identity(str(demo_file))
    edited(demo_file, lambda d: first(d, "user").update(display_name="Megan B."))
    assert seed_identity(str(demo_file)) != before
    changed = await EmulatedTenantGateway.open(store, seed=str(demo_file))
    assert not (await changed.get_user(DIEGO)).enterprise_voice_enabled  # seeded again
    assert (await changed.search_users("Megan B."))[0].display_name == "Megan B."


async def test_switching_back_to_the_shipped_seed_reseeds(demo_file: Path) -> None:
    store = InMemoryTenantStateStore()
    edited(demo_file, lambda d: first(d, "user").update(display_name="Megan B."))
    await EmulatedTenantGateway.open(store, seed=str(demo_file))
    demo = await EmulatedTenantGateway.open(store)
    assert (await demo.search_users("Megan"))[0].display_name == "Megan Bowen"


async def test_reset_puts_the_tenant_file_back(demo_file: Path) -> None:
    gateway = await EmulatedTenantGateway.open(InMemoryTenantStateStore(), seed=str(demo_file))
    await gateway.grant_policy(PolicyType.SHARED_CALLING, PRADEEP, "Seattle")
    await gateway.reset()
    assert (await gateway.get_user(PRADEEP)).direct_policy(PolicyType.SHARED_CALLING) is None


# --------------------------------------------------------------------------- emulated service


async def test_the_emulated_service_matches_policy_names_whatever_their_case() -> None:
    gateway = EmulatedTenantGateway.seeded()
    await gateway.grant_policy(PolicyType.SHARED_CALLING, PRADEEP, "tag:SEATTLE")
    assert (await gateway.get_user(PRADEEP)).direct_policy(PolicyType.SHARED_CALLING) == "Seattle"
    assert (await gateway.get_user("pradeepg@CONTOSO.EXAMPLE")).id == PRADEEP


async def test_a_dr_policy_accepts_a_callback_number_the_inventory_does_not_list() -> None:
    """Issue 7, fix 10: unassigned Direct Routing numbers are not in the inventory."""
    gateway = EmulatedTenantGateway.seeded()
    wanted = ("+493023125199", "+493023125190")
    await gateway.create_shared_calling_policy(SharedCallingPolicy("Berlin", RA_BERLIN, wanted))
    snapshot = await gateway.snapshot(SnapshotScope())
    assert snapshot.shared_calling_policies["Berlin"].emergency_numbers == wanted
    assert "+493023125199" not in snapshot.numbers
    held = snapshot.numbers["+493023125190"]
    assert held.assigned_target_id == "TeamsSharedCallingRoutingPolicy|Tag:Berlin"


async def test_added_numbers_are_appended_in_the_order_given() -> None:
    gateway = EmulatedTenantGateway.seeded()
    await gateway.update_shared_calling_numbers("Seattle", add=("+14255550195", "+14255550193"))
    snapshot = await gateway.snapshot(SnapshotScope())
    assert snapshot.shared_calling_policies["Seattle"].emergency_numbers == (
        "+14255550191",
        "+14255550192",
        "+14255550195",
        "+14255550193",
    )


def test_the_file_format_documents_every_kind_and_field() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "demo-tenant.md").read_text("utf-8")
    section = doc.split("## Tenant files", 1)[1].split("\n## ", 1)[0]
    nested = (License, ServicePlan, PolicyRef, EmergencyNumber)
    missing = [
        f"{cls.__name__}.{field.name}"
        for cls in (*(KINDS[k].cls for k in FILE_KINDS), *nested)
        for field in dataclasses.fields(cls)
        if f"`{field.name}`" not in section
    ]
    missing += [f"kind {kind}" for kind in FILE_KINDS if f"`{kind}`" not in section]
    missing += [f"top level {name}" for name in sorted(TOP_LEVEL) if f"`{name}`" not in section]
    assert missing == []
