"""BotStateStoreContract: the behaviour every BotStateStore (SQL, fakes) must show."""

from __future__ import annotations

import asyncio
import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sharedcalling.services.ports import BotStateStore, StateConflict

AWKWARD_KEYS = [
    "msteams/conversations/a:1Xyz-_.~%20/users/29:1abc",
    "Key",
    "key",
    "key ",
    " key",
    "quote'\"`;--",
    "percent%_and_underscore",
    "back\\slash/forward/",
    "ünïcødé-日本語-🙂",
    "line\nbreak\ttab",
    "x" * 1000,
]

NESTED: dict[str, Any] = {
    "DialogState": {
        "dialogStack": [{"id": "main", "state": {"step": 2, "values": {"ids": ["01", "02"]}}}],
    },
    "text": 'Grüße, 你好, 🙂, "quotes" and \\ backslash',
    "numbers": [0, -1, 1.5, 12345678901234567],
    "flags": {"yes": True, "no": False, "nothing": None},
    "empty": {"list": [], "map": {}, "text": ""},
}


class BotStateStoreContract:
    """Subclass as `TestXxx` and override the `store` fixture."""

    @pytest.fixture
    def store(self) -> BotStateStore:
        raise NotImplementedError("override `store` in the concrete test class")

    async def test_unknown_key_is_absent(self, store: BotStateStore) -> None:
        assert await store.read(["nobody/home"]) == {}

    async def test_reading_no_keys_gives_nothing(self, store: BotStateStore) -> None:
        await store.write("k", {"a": 1}, expected_etag=None)
        assert await store.read([]) == {}

    async def test_nested_json_round_trips(self, store: BotStateStore) -> None:
        etag = await store.write("conversation/1", NESTED, expected_etag=None)
        found = await store.read(["conversation/1", "conversation/2"])
        assert list(found) == ["conversation/1"]
        assert found["conversation/1"].data == NESTED
        assert found["conversation/1"].etag == etag
        assert found["conversation/1"].key == "conversation/1"

    async def test_awkward_keys_round_trip_and_stay_distinct(self, store: BotStateStore) -> None:
        for index, key in enumerate(AWKWARD_KEYS):
            await store.write(key, {"index": index, "key": key}, expected_etag=None)
        found = await store.read(AWKWARD_KEYS)
        assert {key: doc.data for key, doc in found.items()} == {
            key: {"index": index, "key": key} for index, key in enumerate(AWKWARD_KEYS)
        }

    async def test_every_write_gives_a_new_etag(self, store: BotStateStore) -> None:
        first = await store.write("k", {"n": 1}, expected_etag=None)
        second = await store.write("k", {"n": 1}, expected_etag=first)
        third = await store.write("k", {"n": 1}, expected_etag="*")
        assert len({first, second, third}) == 3
        assert all(etag not in ("", "*") for etag in (first, second, third))
        assert (await store.read(["k"]))["k"].etag == third

    async def test_write_with_the_current_etag_replaces_the_document(
        self, store: BotStateStore
    ) -> None:
        etag = await store.write("k", {"v": "old", "gone": 1}, expected_etag=None)
        await store.write("k", {"v": "new"}, expected_etag=etag)
        assert (await store.read(["k"]))["k"].data == {"v": "new"}

    async def test_stale_etag_raises_and_keeps_the_newer_document(
        self, store: BotStateStore
    ) -> None:
        stale = await store.write("k", {"v": 1}, expected_etag=None)
        current = await store.write("k", {"v": 2}, expected_etag=stale)
        with pytest.raises(StateConflict):
            await store.write("k", {"v": 3}, expected_etag=stale)
        document = (await store.read(["k"]))["k"]
        assert (document.data, document.etag) == ({"v": 2}, current)

    async def test_star_and_none_overwrite_whatever_is_stored(self, store: BotStateStore) -> None:
        await store.write("k", {"v": 1}, expected_etag=None)
        await store.write("k", {"v": 2}, expected_etag="*")
        assert (await store.read(["k"]))["k"].data == {"v": 2}
        await store.write("k", {"v": 3}, expected_etag=None)
        assert (await store.read(["k"]))["k"].data == {"v": 3}

    async def test_star_creates_a_missing_document(self, store: BotStateStore) -> None:
        await store.write("new", {"v": 1}, expected_etag="*")
        assert (await store.read(["new"]))["new"].data == {"v": 1}

    async def test_empty_etag_creates_a_missing_document(self, store: BotStateStore) -> None:
        etag = await store.write("new", {"v": 1}, expected_etag="")
        assert (await store.read(["new"]))["new"].etag == etag

    async def test_empty_etag_on_an_existing_document_raises(self, store: BotStateStore) -> None:
        await store.write("k", {"v": 1}, expected_etag=None)
        with pytest.raises(StateConflict):
            await store.write("k", {"v": 2}, expected_etag="")
        assert (await store.read(["k"]))["k"].data == {"v": 1}

    async def test_an_etag_for_a_deleted_document_raises(self, store: BotStateStore) -> None:
        etag = await store.write("k", {"v": 1}, expected_etag=None)
        await store.delete(["k"])
        with pytest.raises(StateConflict):
            await store.write("k", {"v": 2}, expected_etag=etag)
        assert await store.read(["k"]) == {}

    async def test_deleting_an_unknown_key_succeeds(self, store: BotStateStore) -> None:
        await store.delete(["never-written"])
        await store.delete([])

    async def test_delete_removes_only_the_named_keys(self, store: BotStateStore) -> None:
        for key in ("a", "b", "c"):
            await store.write(key, {"key": key}, expected_etag=None)
        await store.delete(["a", "c", "zzz"])
        assert list(await store.read(["a", "b", "c"])) == ["b"]

    async def test_two_writers_with_the_same_etag_exactly_one_wins(
        self, store: BotStateStore
    ) -> None:
        etag = await store.write("race", {"winner": None}, expected_etag=None)
        outcomes = await asyncio.gather(
            *(store.write("race", {"winner": n}, expected_etag=etag) for n in range(2)),
            return_exceptions=True,
        )
        winners = [n for n, outcome in enumerate(outcomes) if isinstance(outcome, str)]
        assert len(winners) == 1
        assert sum(isinstance(outcome, StateConflict) for outcome in outcomes) == 1
        document = (await store.read(["race"]))["race"]
        assert (document.data, document.etag) == ({"winner": winners[0]}, outcomes[winners[0]])

    async def test_two_creators_of_the_same_key_exactly_one_wins(
        self, store: BotStateStore
    ) -> None:
        outcomes = await asyncio.gather(
            *(store.write("fresh", {"n": n}, expected_etag="") for n in range(2)),
            return_exceptions=True,
        )
        assert sorted(type(outcome).__name__ for outcome in outcomes) == ["StateConflict", "str"]

    async def test_the_input_mapping_is_not_mutated_or_kept(self, store: BotStateStore) -> None:
        data = copy.deepcopy(NESTED)
        await store.write("k", data, expected_etag=None)
        assert data == NESTED
        data["DialogState"]["dialogStack"].clear()
        assert (await store.read(["k"]))["k"].data == NESTED

    async def test_changing_what_was_read_does_not_change_the_store(
        self, store: BotStateStore
    ) -> None:
        await store.write("k", NESTED, expected_etag=None)
        found = (await store.read(["k"]))["k"].data
        found["flags"]["yes"] = False
        assert (await store.read(["k"]))["k"].data == NESTED

    @pytest.mark.parametrize("creators", [3, 5])
    async def test_of_many_simultaneous_creators_exactly_one_wins(
        self, store: BotStateStore, creators: int
    ) -> None:
        outcomes = await asyncio.gather(
            *(store.write("claim", {"n": n}, expected_etag="") for n in range(creators)),
            return_exceptions=True,
        )
        winners = [n for n, outcome in enumerate(outcomes) if isinstance(outcome, str)]
        assert len(winners) == 1
        assert all(isinstance(o, StateConflict) for o in outcomes if not isinstance(o, str))
        assert (await store.read(["claim"]))["claim"].data == {"n": winners[0]}

    @pytest.mark.parametrize(
        ("key", "data"),
        [("conversation\x00x", {"v": 1}), ("k", {"text": "a\x00b"}), ("k", {"a\x00": 1}),
         ("k", {"deep": [{"x": ["\x00"]}]})],
    )  # fmt: skip
    async def test_a_nul_character_is_refused_alike_everywhere_and_nothing_is_written(
        self, store: BotStateStore, key: str, data: dict[str, Any]
    ) -> None:
        await store.write("k", {"v": "before"}, expected_etag=None)
        with pytest.raises(ValueError, match="NUL"):
            await store.write(key, data, expected_etag=None)
        assert {k: d.data for k, d in (await store.read(["k", key])).items()} == {
            "k": {"v": "before"}
        }
        await store.delete([key])

    async def test_untouched_documents_under_a_prefix_are_deleted(
        self, store: BotStateStore
    ) -> None:
        now = datetime.now(UTC)
        keys = ["msteams/conversations/a:1", "msteams/welcome/a:1", "msteams%conversations/a:2"]
        for key in keys:
            await store.write(key, {"x": 1}, expected_etag=None)
        prefix = "msteams/conversations/"
        assert await store.delete_untouched(prefix, before=now - timedelta(hours=1)) == 0
        assert await store.delete_untouched(prefix, before=now + timedelta(hours=1)) == 1
        assert set(await store.read(keys)) == set(keys[1:])
        # The prefix is literal: % and _ are no wildcards.
        assert await store.delete_untouched("msteams%", before=now + timedelta(hours=1)) == 1
        assert await store.delete_untouched("msteams_", before=now + timedelta(hours=1)) == 0
