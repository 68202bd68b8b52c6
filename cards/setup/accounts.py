"""Step 1: the resource accounts, each with its number, kind, app and verdict."""

from __future__ import annotations

from typing import Any

from cards.elements import Element, card, container, pick_list, text_block, text_input
from cards.setup import inputs
from cards.setup.common import header, navigation, page_caption, pager
from cards.setup.views import AccountRow, AccountsView, FixView


def _row(row: AccountRow) -> Element:
    lines = [
        text_block(f"{row.name} \u00b7 {row.number}", weight="Bolder"),
        text_block(f"{row.upn} \u00b7 {row.kind} \u00b7 {row.app}", subtle=True, size="Small",
                   spacing="None"),
        text_block(row.verdict, color=_verdict_color(row), size="Small", spacing="None"),
    ]  # fmt: skip
    lines += [text_block(reason, size="Small", spacing="None") for reason in row.reasons]
    return container(*lines, separator=True)


def _verdict_color(row: AccountRow) -> str:
    if row.blocked:
        return "Attention"
    return "Warning" if row.warned else "Good"


def accounts_card(view: AccountsView) -> dict[str, Any]:
    """Every resource account; only those the rules allow can be picked."""
    body = header(view.frame)
    body.append(
        text_block(
            "Its number becomes the caller ID of everyone you set up, and callbacks reach what "
            "is behind it. Accounts the rules block show why and cannot be picked."
        )
    )
    body.append(page_caption(view.page, "resource accounts", "resource account"))
    body += [_row(row) for row in view.rows]
    paging = pager(view.frame, view.page)
    if paging is not None:
        body.append(paging)
    if view.chosen:
        body.append(
            pick_list(inputs.ACCOUNT, "Use this resource account", view.chosen,
                      value=view.selected)
        )  # fmt: skip
    else:
        body.append(text_block("No account on this page can be used.", color="Attention"))
    return card(*body, actions=navigation(view.frame))


def fix_card(view: FixView) -> dict[str, Any]:
    """The choices a usable account still needs: an emergency location, a voice routing policy."""
    body = header(view.frame)
    body.append(text_block(f"{view.account} \u00b7 {view.number}", weight="Bolder"))
    body += [text_block(reason) for reason in view.reasons]
    if view.needs_location:
        if view.locations:
            body.append(
                pick_list(inputs.LOCATION, "Emergency location the plan sets on the number",
                          view.locations, style="compact")
            )  # fmt: skip
        if not view.locations_listed:
            body.append(
                text_block(
                    "This tenant backend cannot list emergency locations; you can also type a "
                    "location id (Get-CsOnlineLisLocation).",
                    subtle=True,
                )
            )
            body.append(
                text_input(inputs.LOCATION_TYPED, "Location id",
                           placeholder="00000000-0000-0000-0000-000000000000")
            )  # fmt: skip
    if view.needs_vrp:
        body.append(
            pick_list(inputs.VRP, "Voice routing policy (with PSTN usages) for the account",
                      view.voice_routing_policies, style="compact")
        )  # fmt: skip
    return card(*body, actions=navigation(view.frame))
