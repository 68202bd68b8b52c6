"""How hazards are put into messages, and the watch's settings.

The core cannot import `cards/` (it sits above the core), so the Teams edge binds a presenter
that renders Adaptive Cards (`bot/hazard_presenter.py`); without an edge (the command line,
tests of the core) the plain-text presenter below is used.
"""

from __future__ import annotations

import abc
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sharedcalling.domain.hazards.record import Hazard
from sharedcalling.services.notifier import OutboundMessage

CLASS_LABELS = {
    "emergency": "Emergency calling",
    "outbound_broken": "Outside calls broken",
    "caller_id": "Wrong caller ID",
    "warning": "Warning",
}


@dataclass(frozen=True, slots=True)
class HazardSettings:
    """From the environment (bootstrap); defaults keep the embedded demo working."""

    interval: float = 3600.0
    """Seconds between scheduled checks (HAZARD_CHECK_INTERVAL)."""
    remind_after: float | None = 86400.0
    """Seconds after which an open hazard is announced again (HAZARD_REMINDER_AFTER; 0: never)."""
    channel_id: str | None = None
    """A channel conversation that also gets every announcement (HAZARD_CHANNEL_ID)."""
    notify_users: bool = True
    """Tell the people an outbound-broken hazard affects (HAZARD_NOTIFY_USERS)."""
    max_cards: int = 10
    """Cards per check; hazards beyond them are announced together in one summary card."""
    lease_ttl: float = 900.0
    """How long the check's lease lasts unless renewed; a running check renews it every third
    of this, so another replica takes over only from one that stopped (crashed, cut off)."""
    full_read_from: int = 1000
    """From this many accounts to read, a check reads every account when the tenant's listing
    costs no more Graph requests than the scoped read (`services/hazards/reads.py`)."""


@dataclass(frozen=True, slots=True)
class HazardNotice:
    """A hazard to announce, with the names of some of the people it affects."""

    hazard: Hazard
    affected_names: tuple[str, ...] = ()
    reminder: bool = False


class HazardPresenter(abc.ABC):
    @abc.abstractmethod
    def announcement(self, notice: HazardNotice) -> OutboundMessage:
        """One new hazard (or a reminder of one), with its "Plan a fix" action."""

    @abc.abstractmethod
    def summary(self, notices: Sequence[HazardNotice]) -> OutboundMessage:
        """Hazards beyond the per-check card limit, announced together."""

    @abc.abstractmethod
    def resolved(self, hazard: Hazard) -> OutboundMessage:
        """What an announcement becomes once its hazard is closed."""


def headline(hazard: Hazard) -> str:
    label = CLASS_LABELS.get(hazard.hazard_class.value, "Hazard")
    return f"{label}: {hazard.code} on {hazard.subject.display}"


class TextHazardPresenter(HazardPresenter):
    def announcement(self, notice: HazardNotice) -> OutboundMessage:
        hazard = notice.hazard
        again = "Reminder: still open. " if notice.reminder else ""
        return OutboundMessage(f"{again}{headline(hazard)} ({hazard.id}). {hazard.message}")

    def summary(self, notices: Sequence[HazardNotice]) -> OutboundMessage:
        listed = "; ".join(f"{headline(n.hazard)} ({n.hazard.id})" for n in notices)
        return OutboundMessage(f"{len(notices)} more hazards: {listed}. Type **hazards**.")

    def resolved(self, hazard: Hazard) -> OutboundMessage:
        return OutboundMessage(f"Resolved: {headline(hazard)} ({hazard.id}). {hazard.resolution}.")


class HazardWatch:
    """The watch's settings, this replica's lease owner name, and the presenter in use."""

    def __init__(self, settings: HazardSettings | None = None) -> None:
        self.settings = settings or HazardSettings()
        self.owner = f"replica-{uuid.uuid4().hex[:12]}"
        self.presenter: HazardPresenter = TextHazardPresenter()

    def bind_presenter(self, presenter: HazardPresenter) -> None:
        self.presenter = presenter
