"""Step 4: people by search, a group's direct members and a pasted list; the selection paged."""

from __future__ import annotations

from typing import Any

from cards.actions import (
    SEARCH_GROUPS,
    SEARCH_PEOPLE,
    SETUP_ADD_USERS,
    SETUP_CLEAR_USERS,
    SETUP_REMOVE_USERS,
)
from cards.elements import (
    Element,
    action_set,
    card,
    container,
    execute,
    execute_without_inputs,
    pick_list,
    search_box,
    text_block,
    text_input,
)
from cards.setup import inputs
from cards.setup.common import header, navigation, page_caption, pager, payload
from cards.setup.views import UsersView

PASTE_LIMIT_CHARACTERS = 400_000
"""5,000 addresses of up to 80 characters."""


def users_card(view: UsersView) -> dict[str, Any]:
    body = header(view.frame)
    body += _add_section(view)
    body.append(container(*_selection(view), separator=True))
    if view.extension_candidates:
        body.append(
            pick_list(
                inputs.EXTENSION,
                "Keep their Direct Routing extension number for dial-by-extension (SC-U06)",
                view.extension_candidates,
                value=",".join(view.extension_marked) or None,
                multi=True,
            )
        )
    return card(*body, actions=navigation(view.frame))


def _add_section(view: UsersView) -> list[Element]:
    parts: list[Element] = [
        text_block("Add people in any of three ways; they add up.", weight="Bolder")
    ]
    if view.people_suggestions:
        parts.append(
            search_box(inputs.PEOPLE, "Search people by name or UPN", SEARCH_PEOPLE,
                       placeholder="Start typing a name", multi=True,
                       initial=view.people_suggestions)
        )  # fmt: skip
    if view.group_suggestions:
        parts.append(
            search_box(inputs.GROUP, "Add the direct members of a group", SEARCH_GROUPS,
                       placeholder="Start typing a group name", initial=view.group_suggestions)
        )  # fmt: skip
    parts += [
        text_block(
            "Only direct members are added: members of nested groups are not (and a group "
            "policy assignment would not reach them either).",
            subtle=True,
            size="Small",
        ),
        text_input(
            inputs.PASTE,
            f"Paste UPNs or e-mail addresses (one per line or comma-separated, up to "
            f"{view.maximum:,})",
            multiline=True,
            max_length=PASTE_LIMIT_CHARACTERS,
        ),
        action_set(execute("Add", SETUP_ADD_USERS, **payload(view.frame))),
    ]
    return parts


def _selection(view: UsersView) -> list[Element]:
    if not view.count:
        return [text_block("Nobody chosen yet.", subtle=True)]
    parts: list[Element] = [
        text_block(f"Chosen: {view.count:,} of at most {view.maximum:,}", weight="Bolder"),
        page_caption(view.page, "people", "person"),
        pick_list(inputs.REMOVE, "Tick people to remove them", view.rows, multi=True),
    ]
    extra = [
        execute("Remove ticked", SETUP_REMOVE_USERS, **payload(view.frame)),
        execute_without_inputs("Remove everyone", SETUP_CLEAR_USERS, **payload(view.frame)),
    ]
    paging = pager(view.frame, view.page, *extra)
    if paging is not None:
        parts.append(paging)
    return parts
