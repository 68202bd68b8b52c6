"""The set-up's dialog state: the draft, the step, who owns it and when it was last touched.

Kept as JSON primitives in the dialog instance (botbuilder pickles dialog state), and read
back strictly: a document this module did not write is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cards.setup.views import Step
from sharedcalling.domain import names
from sharedcalling.services.setup.draft import SetupDraft

STATE_FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class FlowState:
    owner: str
    """The folded object id of the admin who started it; nobody else may continue it."""
    started_at: datetime
    touched_at: datetime
    step: Step
    revision: int = 0
    """Counts accepted actions: a card from an older revision is redrawn, never obeyed."""
    draft: SetupDraft = field(default_factory=SetupDraft)
    labels: Mapping[str, str] = field(default_factory=dict)
    """Display strings of answers (account, policy), so a card needs no lookup to show them."""
    pages: Mapping[str, int] = field(default_factory=dict)
    group_mode: bool = False

    @classmethod
    def new(cls, owner: str, now: datetime) -> FlowState:
        return cls(owner=names.fold(owner), started_at=now, touched_at=now, step=Step.ACCOUNT)

    def owned_by(self, user_id: str) -> bool:
        return names.fold(user_id) == self.owner

    def moved(self, **changes: Any) -> FlowState:
        """The next revision, with `changes` applied."""
        return replace(self, revision=self.revision + 1, **changes)

    def touched(self, now: datetime) -> FlowState:
        return replace(self, touched_at=now)

    def with_label(self, key: str, value: str) -> dict[str, str]:
        return {**self.labels, key: value}

    def page(self, name: str) -> int:
        return self.pages.get(name, 1)

    def to_json(self) -> dict[str, Any]:
        return {
            "v": STATE_FORMAT_VERSION,
            "owner": self.owner,
            "started_at": self.started_at.isoformat(),
            "touched_at": self.touched_at.isoformat(),
            "step": self.step.value,
            "revision": self.revision,
            "draft": self.draft.to_json(),
            "labels": dict(self.labels),
            "pages": dict(self.pages),
            "group_mode": self.group_mode,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FlowState:
        """ValueError for anything `to_json` did not write."""
        if not isinstance(data, Mapping) or data.get("v") != STATE_FORMAT_VERSION:
            raise ValueError("not a set-up state of this version")
        try:
            return cls(
                owner=str(data["owner"]),
                started_at=_time(data["started_at"]),
                touched_at=_time(data["touched_at"]),
                step=Step(data["step"]),
                revision=int(data["revision"]),
                draft=SetupDraft.from_json(data["draft"]),
                labels={str(k): str(v) for k, v in dict(data["labels"]).items()},
                pages={str(k): int(v) for k, v in dict(data["pages"]).items()},
                group_mode=bool(data["group_mode"]),
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a set-up state: {error!r}") from error


def _time(value: Any) -> datetime:
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError("set-up state times are timezone-aware")
    return moment
