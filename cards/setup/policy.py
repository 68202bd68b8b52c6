"""Step 2: reuse a Shared Calling policy of the resource account, or name a new one."""

from __future__ import annotations

from typing import Any

from cards.elements import card, pick_list, text_block, text_input
from cards.setup import inputs
from cards.setup.common import header, navigation
from cards.setup.views import PolicyView
from sharedcalling.domain.setup import MAX_POLICY_NAME


def policy_card(view: PolicyView) -> dict[str, Any]:
    body = header(view.frame)
    if view.reusable:
        body.append(
            pick_list(inputs.POLICY_REUSE, f"Reuse a policy of {view.account}", view.reusable,
                      value=view.selected)
        )  # fmt: skip
        body.append(text_block("Or create a new policy:", weight="Bolder"))
    else:
        body.append(
            text_block(f"No Shared Calling policy points to {view.account} yet; name a new one.")
        )
    body.append(
        text_input(
            inputs.POLICY_NEW,
            "New policy name",
            placeholder="for example SC-Redmond",
            value=view.new_name,
            max_length=MAX_POLICY_NAME,
        )
    )
    body.append(
        text_block(
            f"Letters A to Z, digits, spaces, dots, hyphens and underscores; up to "
            f"{MAX_POLICY_NAME} characters; not the name of an existing policy (any case).",
            subtle=True,
            size="Small",
        )
    )
    return card(*body, actions=navigation(view.frame))
