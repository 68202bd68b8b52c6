"""Set-up step 4: who gets Shared Calling. People search, a group's direct members, a pasted
list; combined into one selection of at most 5,000, every refusal named with its reason."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sharedcalling.domain import names
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.domain.ids import GroupId, UserId
from sharedcalling.domain.tenant import Group, NumberType, User
from sharedcalling.services.ports import SnapshotScope, TenantGateway, TenantNotFound

MAX_USERS = 5000
"""People per set-up: one request locks them all, and a batch policy assignment takes 5,000."""
MAX_SHOWN = 10
"""Refused entries named one by one; beyond that, a count."""
MAX_SEARCH_RESULTS = 15
"""Teams shows at most 15 typeahead choices."""
MAX_SEARCH_SKIP = 500
_SEPARATORS = re.compile(r"[,;\r\n]+")
_ANGLED = re.compile(r"<([^<>]+)>")


@dataclass(frozen=True, slots=True)
class SelectionReport:
    """What one "Add" did: added, already there, listed twice, and the group's caveats."""

    added: int = 0
    already_selected: int = 0
    duplicates: tuple[str, ...] = ()
    group_name: str | None = None
    group_members: int = 0
    group_nested: int = 0


def _bounded(skip: int, top: int) -> tuple[int, int]:
    return max(0, min(skip, MAX_SEARCH_SKIP)), max(1, min(top, MAX_SEARCH_RESULTS))


async def search_people(
    text: str, *, skip: int = 0, top: int = MAX_SEARCH_RESULTS, tenant: TenantGateway
) -> list[User]:
    """People (never resource accounts) whose name, UPN or nickname starts with `text`."""
    query = text.strip()[:100]
    if not query:
        return []
    skip, top = _bounded(skip, top)
    found = await tenant.search_users(query, limit=skip + top + MAX_SEARCH_RESULTS)
    people = [u for u in found if not u.is_resource_account]
    return people[skip : skip + top]


async def search_groups(
    text: str, *, skip: int = 0, top: int = MAX_SEARCH_RESULTS, tenant: TenantGateway
) -> list[Group]:
    """Groups whose display name (or a word of it) starts with `text`, by name."""
    query = names.fold(text)[:100]
    if not query:
        return []
    skip, top = _bounded(skip, top)
    snapshot = await tenant.snapshot(SnapshotScope())
    matching = sorted(
        (g for g in snapshot.groups.values() if _starts(g.display_name, query)),
        key=lambda g: (names.fold(g.display_name), g.id),
    )
    return matching[skip : skip + top]


SUGGESTIONS = 10
"""Choices a typeahead shows before anything is typed (a card's choice set is never empty)."""


async def suggest_people(*, tenant: TenantGateway, limit: int = SUGGESTIONS) -> list[User]:
    """The first people by name: what the people typeahead offers before a query."""
    found = await tenant.search_users("", limit=limit * 2)
    return [u for u in found if not u.is_resource_account][:limit]


async def suggest_groups(*, tenant: TenantGateway, limit: int = SUGGESTIONS) -> list[Group]:
    snapshot = await tenant.snapshot(SnapshotScope())
    return sorted(snapshot.groups.values(), key=lambda g: (names.fold(g.display_name), g.id))[
        :limit
    ]


def _starts(name: str, query: str) -> bool:
    return any(names.fold(part).startswith(query) for part in (name, *name.split()))


def split_entries(pasted: str) -> list[str]:
    """One entry per line or between commas; `Name <address>` gives the address."""
    entries = []
    for part in _SEPARATORS.split(pasted):
        angled = _ANGLED.search(part)
        entry = (angled.group(1) if angled else part).strip()
        if entry:
            entries.append(entry)
    return entries


async def resolve_entries(entries: Sequence[str], *, tenant: TenantGateway) -> list[User]:
    """The account of every UPN or e-mail address, in order; InvalidInput (nothing resolved)
    naming the entries that are not addresses or not in this tenant."""
    if len(entries) > MAX_USERS:
        raise InvalidInput(
            f"That list has {len(entries):,} entries; paste at most {MAX_USERS:,} at a time. "
            "Nothing was added."
        )
    malformed = [e for e in entries if "@" not in e or len(e) > 256 or any(c.isspace() for c in e)]
    if malformed:
        raise InvalidInput(
            f"Not a UPN or e-mail address: {_listed(malformed)}. Nothing was added; fix the "
            "list and paste it again."
        )
    # One bulk read (Graph: `$batch`es), keyed by folded entry, repeats once, in paste order.
    accounts = await tenant.find_users(entries)
    unknown = [entry for entry, user in accounts.items() if user is None]
    if unknown:
        raise InvalidInput(
            f"Not found in this tenant: {_listed(unknown)}. Nothing was added; fix or remove "
            "these entries and paste the list again."
        )
    return [user for user in accounts.values() if user is not None]


def _listed(entries: Sequence[str]) -> str:
    shown = ", ".join(f"\u201c{e[:80]}\u201d" for e in entries[:MAX_SHOWN])
    more = len(entries) - MAX_SHOWN
    return f"{shown} and {more:,} more" if more > 0 else shown


async def _picked_people(picked: Sequence[str], tenant: TenantGateway) -> list[User]:
    """Typeahead picks are ids the search offered; anything else is refused whole."""
    people = []
    for user_id in dict.fromkeys(p.strip() for p in picked if p.strip()):
        try:
            user = await tenant.get_user(user_id)
        except TenantNotFound:
            user = None
        if user is None or user.is_resource_account or not names.same(user.id, user_id):
            raise InvalidInput(
                "A picked person is not a user of this tenant; nothing was added. Search again."
            )
        people.append(user)
    return people


async def _group(group_id: str, tenant: TenantGateway) -> Group:
    try:
        return await tenant.get_group(GroupId(group_id.strip()))
    except TenantNotFound:
        raise InvalidInput("That group is not in this tenant; nothing was added.") from None


async def add_to_selection(
    current: Sequence[UserId],
    *,
    picked: Sequence[str] = (),
    group_id: str | None = None,
    pasted: str = "",
    tenant: TenantGateway,
) -> tuple[tuple[UserId, ...], SelectionReport, Group | None]:
    """The selection with the picked people, the group's direct members and the pasted
    addresses added (in that order). Any refused entry refuses the whole addition."""
    entries = split_entries(pasted) if pasted.strip() else []
    people = await _picked_people(picked, tenant)
    group = await _group(group_id, tenant) if group_id and group_id.strip() else None
    pasted_users = await resolve_entries(entries, tenant=tenant) if entries else []
    if not people and group is None and not entries:
        raise InvalidInput("Search for people, pick a group or paste a list, then press Add.")
    candidates = [u.id for u in people]
    candidates += list(group.member_ids) if group is not None else []
    candidates += [u.id for u in pasted_users]
    selected = {names.fold(u) for u in current}
    added: dict[str, UserId] = {}
    for user_id in candidates:
        key = names.fold(user_id)
        if key not in selected:
            added.setdefault(key, user_id)
    total = len(current) + len(added)
    if total > MAX_USERS:
        raise InvalidInput(
            f"That would make {total:,} people; a set-up takes at most {MAX_USERS:,}. "
            "Nothing was added."
        )
    report = SelectionReport(
        added=len(added),
        already_selected=sum(
            1 for u in dict.fromkeys(map(names.fold, candidates)) if u in selected
        ),
        duplicates=_duplicates(entries),
        group_name=group.display_name if group is not None else None,
        group_members=len(group.member_ids) if group is not None else 0,
        group_nested=len(group.nested_group_ids) if group is not None else 0,
    )
    return (*current, *added.values()), report, group


def _duplicates(entries: Sequence[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    repeated: dict[str, str] = {}
    for entry in entries:
        key = names.fold(entry)
        if key in seen:
            repeated.setdefault(key, entry)
        seen.add(key)
    return tuple(repeated.values())


def remove_from_selection(current: Sequence[UserId], removed: Sequence[str]) -> tuple[UserId, ...]:
    """The selection without `removed`; ids not in it are refused (a card never offers them)."""
    gone = {names.fold(r) for r in removed if r.strip()}
    if not gone:
        raise InvalidInput("Tick the people to remove first.")
    if not gone <= {names.fold(u) for u in current}:
        raise InvalidInput("Only people in your selection can be removed.")
    return tuple(u for u in current if names.fold(u) not in gone)


MAX_EXTENSION_CANDIDATES = 50


async def extension_candidates(user_ids: Sequence[UserId], *, tenant: TenantGateway) -> list[User]:
    """Chosen people whose only way to keep a number is the SC-U06 pattern: a Direct Routing
    number with `;ext=` (marking anyone else would block them under SC-U05)."""
    if not user_ids:
        return []
    snapshot = await tenant.snapshot(SnapshotScope(user_ids=user_ids))
    found = []
    for user_id in user_ids:
        user = snapshot.user(user_id)
        numbers = snapshot.numbers_of(user_id)
        if (
            user is not None
            and numbers
            and all(n.has_extension and n.number_type is NumberType.DIRECT_ROUTING for n in numbers)
        ):
            found.append(user)
            if len(found) == MAX_EXTENSION_CANDIDATES:
                break
    return found
