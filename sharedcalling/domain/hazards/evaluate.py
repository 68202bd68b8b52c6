"""evaluate(): one check of everything our applied requests set up, against one snapshot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sharedcalling.domain import names
from sharedcalling.domain.hazards.model import CheckResult, Facts, Observation, Watchlist
from sharedcalling.domain.hazards.policy_watch import observe_policy
from sharedcalling.domain.hazards.user_watch import AnswerCache, observe_user
from sharedcalling.domain.tenant import TenantSnapshot


class _Collector:
    """Observations by key; the same cause seen through several policies or users is one
    observation naming all of them (kept in first-seen order, without quadratic merging)."""

    def __init__(self) -> None:
        self._first: dict[str, Observation] = {}
        self._policies: dict[str, dict[str, None]] = {}
        self._requests: dict[str, dict[str, None]] = {}
        self._users: dict[str, dict[str, None]] = {}

    def add(self, observation: Observation) -> None:
        key = observation.key
        if key not in self._first:
            self._first[key] = observation
            self._policies[key], self._requests[key], self._users[key] = {}, {}, {}
        self._policies[key].update(dict.fromkeys(observation.policy_names))
        self._requests[key].update(dict.fromkeys(observation.request_ids))
        self._users[key].update(dict.fromkeys(observation.affected_user_ids))

    def results(self) -> tuple[Observation, ...]:
        merged = [
            replace(
                first,
                policy_names=tuple(self._policies[key]),
                request_ids=tuple(self._requests[key]),  # type: ignore[arg-type]
                affected_user_ids=tuple(self._users[key]),  # type: ignore[arg-type]
            )
            for key, first in self._first.items()
        ]
        return tuple(sorted(merged, key=lambda o: o.sort_key))


def evaluate(
    watchlist: Watchlist,
    snapshot: TenantSnapshot,
    *,
    number_countries: Mapping[str, str] | None = None,
) -> CheckResult:
    """Check every watched policy and user; pure, so the same snapshot gives the same result.

    `number_countries` are the countries of blank-country numbers derived from their E.164
    prefix, as a plan gets them, so the rules decide here as they decided for the plan.
    """
    countries = dict(number_countries or {})
    collected = _Collector()
    facts: dict[str, Facts] = {}
    for policy_watch in watchlist.policies:
        found, seen = observe_policy(policy_watch, snapshot, countries)
        for observation in found:
            collected.add(observation)
        facts.update(seen)
    existing = {names.policy_key(name) for name in snapshot.shared_calling_policies}
    answers: AnswerCache = {}
    for user_watch in watchlist.users:
        exists = names.policy_key(user_watch.policy_name) in existing
        found, seen = observe_user(
            user_watch, snapshot, countries, policy_exists=exists, answers=answers
        )
        for observation in found:
            collected.add(observation)
        for key, value in seen.items():
            facts.setdefault(key, value)
    return CheckResult(collected.results(), facts)
