"""The tenants the emulated gateway starts from: a shipped seed by name, or a tenant file by path.

Both are the tenant file format (docs/demo-tenant.md), checked by `emulated_tenant_file`. A
shipped seed may also generate a bulk population of employees.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from sharedcalling.adapters.tenant.emulated_codec import TenantInfo
from sharedcalling.adapters.tenant.emulated_tenant_file import (
    TenantDocument,
    TenantFileError,
    parse_tenant_document,
    read_tenant_file,
)
from sharedcalling.domain.ids import UserId
from sharedcalling.domain.tenant import License, ServicePlan, SubscribedSku, User

SEED_PACKAGE = "sharedcalling.adapters.tenant.seeds"
SEED_FORMAT = 1

__all__ = [
    "SEED_FORMAT",
    "TenantFileError",
    "UnknownSeed",
    "generated_user",
    "is_seed_file",
    "seed_identity",
    "seed_names",
    "seed_objects",
    "seed_tenant_id",
]


class UnknownSeed(ValueError):
    """No seed fixture of that name ships with the emulated tenant."""


def seed_names() -> list[str]:
    """Names of the shipped seeds (fixture files without `.json`)."""
    files = resources.files(SEED_PACKAGE).iterdir()
    return sorted(f.name.removesuffix(".json") for f in files if f.name.endswith(".json"))


def is_seed_file(seed: str) -> bool:
    """A seed with a path separator or a `.json` suffix is a tenant file, else a shipped name."""
    return "/" in seed or "\\" in seed or seed.endswith(".json")


def seed_tenant_id(seed: str) -> str:
    return _load(seed)[0].tenant_id


def seed_identity(seed: str) -> str:
    """What the seeded state remembers: a shipped seed's name, or the file's SHA-256, so a
    changed tenant file is noticed and a moved one is not."""
    return _load(seed)[1].seed


def seed_objects(seed: str) -> list[Any]:
    """Every tenant object of a seed, generated users included, with its TenantInfo.

    Raises UnknownSeed for an unknown name and TenantFileError for a bad file.
    """
    document, info = _load(seed)
    objects = list(document.objects)
    generated = document.raw.get("generated_users")
    if generated:
        objects = _with_generated(objects, generated, str(document.raw["domain"]))
    return [*objects, info]


def _with_generated(objects: list[Any], generated: dict[str, Any], domain: str) -> list[Any]:
    skus = {o.sku_part_number: o for o in objects if isinstance(o, SubscribedSku)}
    licenses = tuple(_license(skus[name]) for name in generated.get("licenses", ()))
    location = generated.get("usage_location")
    objects = objects + [
        generated_user(n, domain, licenses, location) for n in range(1, generated["count"] + 1)
    ]
    # Consumed seats follow from the accounts, so a generating seed cannot contradict itself.
    # A file without generated users keeps its own counts (a real tenant's, when exported).
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
    used = Counter(
        lic.sku_part_number for o in objects if isinstance(o, User) for lic in o.licenses
    )
    return [
        replace(o, consumed_units=used[o.sku_part_number]) if isinstance(o, SubscribedSku) else o
        for o in objects
    ]


def _load(seed: str) -> tuple[TenantDocument, TenantInfo]:
    if is_seed_file(seed):
        path = Path(seed)
        try:
            stat = path.stat()
        except OSError:
            return _from_file(path, 0, -1)  # reports why it cannot be read
        return _from_file(path, stat.st_mtime_ns, stat.st_size)
    if seed not in seed_names():
        raise UnknownSeed(f"Unknown tenant seed {seed!r}; available: {', '.join(seed_names())}")
    document = _shipped(seed)
    return document, TenantInfo(cloud=document.cloud, seed=seed)


@functools.lru_cache(maxsize=4)
def _from_file(path: Path, _mtime_ns: int, _size: int) -> tuple[TenantDocument, TenantInfo]:
    # Keyed by modification time and size too: opening the tenant checks the file, asks for
    # its identity and may seed from it; a large file is read once, an edited one again.
    document, data = read_tenant_file(path)
    identity = "sha256:" + hashlib.sha256(data).hexdigest()
    return document, TenantInfo(cloud=document.cloud, seed=identity)


@functools.cache
def _shipped(seed: str) -> TenantDocument:
    # Shipped seeds never change while the process runs, and their objects are frozen: parse
    # and check each once (tests seed a fresh tenant hundreds of times).
    text = resources.files(SEED_PACKAGE).joinpath(f"{seed}.json").read_text(encoding="utf-8")
    return parse_tenant_document(json.loads(text), f"{seed}.json")
