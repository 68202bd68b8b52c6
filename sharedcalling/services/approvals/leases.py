"""Claims on the notifications ledger: once-only announcements and short leases across replicas.

`claim(key, remind_after=None)` is true once ever; with `remind_after` it is a lease that
another replica can take only after that many seconds (a crashed holder loses it by itself).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sharedcalling.services import Services


async def claim(services: Services, key: str, *, remind_after: float | None) -> bool:
    async with services.uow() as work:
        claimed = await work.notifications.claim(
            services.tenant_id, key, at=services.clock.now(), remind_after=remind_after
        )
        await work.commit()
    return claimed


async def release(services: Services, key: str) -> None:
    async with services.uow() as work:
        await work.notifications.forget(services.tenant_id, key)
        await work.commit()
