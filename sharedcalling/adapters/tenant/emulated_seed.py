"""The demo tenants the emulated gateway starts from: a JSON fixture plus generated employees."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from importlib import resources
from typing import Any

from sharedcalling.adapters.tenant.emulated_codec import KINDS, from_document
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.tenant import License, ServicePlan, SubscribedSku, User

SEED_PACKAGE = "sharedcalling.adapters.tenant.seeds"
SEED_FORMAT = 1


class UnknownSeed(ValueError):
    """No seed fixture of that name ships with the emulated tenant."""


def seed_names() -> list[str]:
    """Names of the shipped seeds (fixture files without `.json`)."""
    files = resources.files(SEED_PACKAGE).iterdir()
    return sorted(f.name.removesuffix(".json") for f in files if f.name.endswith(".json"))


def seed_tenant_id(seed: str) -> str:
    return str(_fixture(seed)["tenant_id"])


def seed_objects(seed: str) -> list[Any]:
    """Every tenant object of a seed, generated users included, with SKU consumption counted."""
    fixture = _fixture(seed)
    objects = [
        from_document(KINDS[kind].cls, document)
        for kind, documents in fixture["objects"].items()
        for document in documents
    ]
    skus = {o.sku_part_number: o for o in objects if isinstance(o, SubscribedSku)}
    generated = fixture.get("generated_users")
    if generated:
        licenses = tuple(_license(skus[name]) for name in generated["licenses"])
        domain = str(fixture["domain"])
        location = generated.get("usage_location")
        objects.extend(
            generated_user(n, domain, licenses, location)
            for n in range(1, generated["count"] + 1)
        )
    return _count_consumed_units(objects)


def generated_user(
    n: int, domain: str, licenses: tuple[License, ...], usage_location: str | None = None
) -> User:
    """Employee `n` of the bulk population: licensed, voice disabled, no number, no policies."""
    nickname = f"user{n:04d}"
    return User(
        id=UserId(f"00000000-0000-4000-9000-{n:012d}"),
        user_principal_name=f"{nickname}@{domain}",
        display_name=f"Contoso Employee {n:04d}",
        usage_location=usage_location,
        licenses=licenses,
        mail_nickname=nickname,
    )


def _license(sku: SubscribedSku) -> License:
    return License(sku.sku_part_number, tuple(ServicePlan(p) for p in sku.service_plan_names))


def _count_consumed_units(objects: list[Any]) -> list[Any]:
    # Consumed seats follow from the accounts, so the fixture cannot contradict itself.
    used = Counter(
        lic.sku_part_number for o in objects if isinstance(o, User) for lic in o.licenses
    )
    return [
        replace(o, consumed_units=used[o.sku_part_number]) if isinstance(o, SubscribedSku) else o
        for o in objects
    ]


def _fixture(seed: str) -> dict[str, Any]:
    if seed not in seed_names():
        raise UnknownSeed(f"Unknown tenant seed {seed!r}; available: {', '.join(seed_names())}")
    text = resources.files(SEED_PACKAGE).joinpath(f"{seed}.json").read_text(encoding="utf-8")
    fixture: dict[str, Any] = json.loads(text)
    if fixture.get("format") != SEED_FORMAT:
        raise UnknownSeed(f"Seed {seed!r} has format {fixture.get('format')}, not {SEED_FORMAT}")
    return fixture
