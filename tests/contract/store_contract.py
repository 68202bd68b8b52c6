"""TenantStateStoreContract: the behaviour every TenantStateStore (SQL, fakes) must show."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import pytest

from sharedcalling.domain.ids import TenantId
from sharedcalling.services.ports import StoredObject, TenantStateStore

CONTOSO = TenantId("8f2b0f5e-1c2d-4e3f-9a4b-5c6d7e8f9a0b")
FABRIKAM = TenantId("11111111-2222-4333-8444-555555555555")

MEGAN: dict[str, Any] = {
    "id": "00000000-0000-4000-8000-000000000001",
    "userPrincipalName": "MeganB@contoso.example",
    "displayName": "Megan Bowen",
    "lineUri": "tel:+14255550110",
    "policies": {"TeamsSharedCallingRoutingPolicy": None, "OnlineVoiceRoutingPolicy": "Global"},
    "licenses": ["MCOEV", "MCOPSTN1"],
    "enterpriseVoiceEnabled": True,
}

AWKWARD_KEYS = [
    "MeganB@contoso.example",
    "meganb@contoso.example",
    "+14255550110",
    "Sharing ü 日本 🙂",
    "tag:Seattle'; DROP TABLE x;--",
    "100%_done\\",
    "trailing ",
    "k" * 600,
]


def user(key: str, **changes: Any) -> StoredObject:
    return StoredObject(kind="user", key=key, document={**MEGAN, "key": key, **changes})


def by_identity(objects: Iterable[StoredObject]) -> dict[tuple[str, str], Any]:
    return {(item.kind, item.key): item.document for item in objects}


class TenantStateStoreContract:
    """Subclass as `TestXxx` and override the `store` fixture."""

    @pytest.fixture
    def store(self) -> TenantStateStore:
        raise NotImplementedError("override `store` in the concrete test class")

    async def test_a_tenant_never_seeded_loads_empty(self, store: TenantStateStore) -> None:
        assert await store.load(CONTOSO) == []

    async def test_upserted_objects_round_trip(self, store: TenantStateStore) -> None:
        objects = [
            user("00000000-0000-4000-8000-000000000001"),
            StoredObject("number", "+14255550100", {"type": "CallingPlan", "assignedTo": None}),
            StoredObject("policy", "TeamsSharedCallingRoutingPolicy/Seattle", {"rank": 1.5}),
        ]
        await store.upsert(CONTOSO, objects)
        assert by_identity(await store.load(CONTOSO)) == by_identity(objects)

    async def test_upsert_replaces_an_object_with_the_same_kind_and_key(
        self, store: TenantStateStore
    ) -> None:
        await store.upsert(CONTOSO, [user("u1"), user("u2")])
        await store.upsert(CONTOSO, [StoredObject("user", "u1", {"replaced": True})])
        loaded = by_identity(await store.load(CONTOSO))
        assert loaded[("user", "u1")] == {"replaced": True}
        assert loaded[("user", "u2")] == user("u2").document

    async def test_the_same_key_in_two_kinds_is_two_objects(self, store: TenantStateStore) -> None:
        await store.upsert(CONTOSO, [StoredObject("user", "x", {"a": 1})])
        await store.upsert(CONTOSO, [StoredObject("group", "x", {"b": 2})])
        assert by_identity(await store.load(CONTOSO)) == {
            ("user", "x"): {"a": 1},
            ("group", "x"): {"b": 2},
        }

    async def test_the_last_of_repeated_keys_in_one_upsert_wins(
        self, store: TenantStateStore
    ) -> None:
        await store.upsert(CONTOSO, [user("u1", n=1), user("u1", n=2), user("u1", n=3)])
        assert by_identity(await store.load(CONTOSO))[("user", "u1")]["n"] == 3

    async def test_remove_deletes_only_the_named_objects(self, store: TenantStateStore) -> None:
        await store.upsert(CONTOSO, [user("u1"), user("u2"), StoredObject("group", "u1", {})])
        await store.remove(CONTOSO, [("user", "u1"), ("user", "unknown"), ("nokind", "u2")])
        assert set(by_identity(await store.load(CONTOSO))) == {("user", "u2"), ("group", "u1")}

    async def test_empty_upsert_and_remove_change_nothing(self, store: TenantStateStore) -> None:
        await store.upsert(CONTOSO, [user("u1")])
        await store.upsert(CONTOSO, [])
        await store.remove(CONTOSO, [])
        assert set(by_identity(await store.load(CONTOSO))) == {("user", "u1")}

    async def test_clear_empties_one_tenant_only(self, store: TenantStateStore) -> None:
        await store.upsert(CONTOSO, [user("u1"), StoredObject("number", "+1", {})])
        await store.upsert(FABRIKAM, [user("u1")])
        await store.clear(CONTOSO)
        assert await store.load(CONTOSO) == []
        assert set(by_identity(await store.load(FABRIKAM))) == {("user", "u1")}

    async def test_tenants_are_isolated(self, store: TenantStateStore) -> None:
        await store.upsert(CONTOSO, [user("u1", tenant="contoso")])
        await store.upsert(FABRIKAM, [user("u1", tenant="fabrikam")])
        await store.remove(FABRIKAM, [("user", "u1")])
        assert by_identity(await store.load(CONTOSO))[("user", "u1")]["tenant"] == "contoso"
        assert await store.load(FABRIKAM) == []

    async def test_awkward_and_unicode_keys_round_trip(self, store: TenantStateStore) -> None:
        objects = [
            StoredObject("user", key, {"key": key, "name": "Zoë 🙂"}) for key in AWKWARD_KEYS
        ]
        await store.upsert(CONTOSO, objects)
        assert by_identity(await store.load(CONTOSO)) == by_identity(objects)
        await store.remove(CONTOSO, [("user", key) for key in AWKWARD_KEYS[1::2]])
        assert set(by_identity(await store.load(CONTOSO))) == {
            ("user", key) for key in AWKWARD_KEYS[::2]
        }

    async def test_a_thousand_objects_round_trip(self, store: TenantStateStore) -> None:
        objects = [user(f"user{n:04d}", n=n) for n in range(1, 1001)]
        await store.upsert(CONTOSO, objects)
        await store.upsert(CONTOSO, [user(f"user{n:04d}", n=-n) for n in range(1, 1001, 2)])
        loaded = by_identity(await store.load(CONTOSO))
        assert len(loaded) == 1000
        assert loaded[("user", "user0001")]["n"] == -1
        assert loaded[("user", "user1000")]["n"] == 1000

    async def test_documents_are_copied_in_and_out(self, store: TenantStateStore) -> None:
        document = copy.deepcopy(MEGAN)
        await store.upsert(CONTOSO, [StoredObject("user", "u1", document)])
        document["policies"]["OnlineVoiceRoutingPolicy"] = "changed after upsert"
        loaded = (await store.load(CONTOSO))[0]
        assert loaded.document == MEGAN
        loaded.document["licenses"].append("changed after load")
        assert (await store.load(CONTOSO))[0].document == MEGAN
