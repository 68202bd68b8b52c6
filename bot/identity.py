"""Who is speaking: the tenant from channelData, the person from from.aadObjectId; nothing else."""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity

FOREIGN_TENANT_TEXT = "This bot serves only its own tenant."
UNIDENTIFIED_TEXT = (
    "I could not tell who you are in this organisation, so I cannot answer. "
    "Please message me from Microsoft Teams with your work account."
)


def tenant_of(activity: Activity) -> str | None:
    """`channelData.tenant.id` as Teams sends it; None when absent (not a Teams activity)."""
    channel_data: Any = activity.channel_data
    if isinstance(channel_data, dict):
        tenant = channel_data.get("tenant")
        tenant_id = tenant.get("id") if isinstance(tenant, dict) else None
    else:
        tenant = getattr(channel_data, "tenant", None)
        tenant_id = getattr(tenant, "id", None)
    return tenant_id if isinstance(tenant_id, str) and tenant_id else None


def is_own_tenant(activity: Activity, tenant_id: str) -> bool:
    found = tenant_of(activity)
    return found is not None and found.lower() == tenant_id.lower()


def aad_object_id_of(activity: Activity) -> str | None:
    sender = activity.from_property
    object_id = getattr(sender, "aad_object_id", None) if sender else None
    return object_id if isinstance(object_id, str) and object_id else None
