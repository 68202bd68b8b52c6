"""Step 5: per user (the default) or a group policy assignment with a rank."""

from __future__ import annotations

from typing import Any

from cards.actions import SEARCH_GROUPS
from cards.elements import card, container, number_input, pick_list, search_box, text_block
from cards.setup import inputs
from cards.setup.common import header, navigation
from cards.setup.views import AssignmentView

_MODES = (
    ("Grant the policy to each person directly (recommended)", inputs.MODE_PER_USER),
    ("Assign it to a group (group policy assignment)", inputs.MODE_GROUP),
)


def assignment_card(view: AssignmentView) -> dict[str, Any]:
    body = header(view.frame)
    mode = inputs.MODE_GROUP if view.group_mode else inputs.MODE_PER_USER
    body.append(pick_list(inputs.ASSIGN_MODE, "How the policy is assigned", _MODES, value=mode))
    body.append(
        text_block(
            "A group assignment reaches the group's direct members, also those who join later; "
            "nested groups get nothing, a person's own direct assignment still wins, and it can "
            "take 24 hours to arrive. Emergency call routing policies are always granted to "
            "each person (they cannot go by group). Assigning to everyone (Global) is not "
            "offered here.",
            subtle=True,
            size="Small",
        )
    )
    if view.group_suggestions:
        body.append(
            search_box(inputs.ASSIGN_GROUP, "Group (for a group assignment)", SEARCH_GROUPS,
                       placeholder="Start typing a group name", initial=view.group_suggestions,
                       value=view.group[1] if view.group else None)
        )  # fmt: skip
    else:
        body.append(text_block("This tenant has no groups to assign to.", subtle=True))
    body.append(
        number_input(inputs.RANK, f"Rank (1 wins over all; 1 to {view.max_rank})",
                     value=view.rank, minimum=1, maximum=view.max_rank)
    )  # fmt: skip
    if view.existing:
        lines = [text_block(line, size="Small") for line in view.existing]
        body.append(container(text_block("Shared Calling group assignments today", weight="Bolder"),
                              *lines, separator=True))  # fmt: skip
    if view.limit_reached:
        body.append(
            container(
                text_block("This tenant already has 64 Shared Calling group assignments, the "
                           "limit (SC-P03): assign to each person instead."),
                style="attention",
            )
        )  # fmt: skip
    return card(*body, actions=navigation(view.frame))
