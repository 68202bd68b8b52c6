"""Writing a tenant file from a snapshot: kinds in a fixed order, objects by key, one per line.

The counterpart of `emulated_tenant_file`'s reader; export, seed, export gives the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

from sharedcalling.adapters.tenant.emulated_codec import KINDS, to_document
from sharedcalling.adapters.tenant.emulated_tenant_file import FILE_FORMAT, FILE_KINDS
from sharedcalling.domain.tenant import EmergencyLocation, TenantSnapshot


def tenant_file_text(tenant_id: str, snapshot: TenantSnapshot) -> str:
    """The snapshot as a tenant file: kinds in a fixed order, objects by key, one per line.

    Emergency locations cannot be read through the tenant port, so the file lists the location
    ids the numbers reference, without their address (docs/demo-tenant.md)."""
    locations = {n.location_id for n in snapshot.numbers.values() if n.location_id}
    every: dict[str, list[Any]] = {
        "user": list(snapshot.users.values()),
        "number": list(snapshot.numbers.values()),
        "group": list(snapshot.groups.values()),
        "group_assignment": list(snapshot.group_assignments),
        "shared_calling_policy": list(snapshot.shared_calling_policies.values()),
        "voice_routing_policy": list(snapshot.voice_routing_policies.values()),
        "emergency_call_routing_policy": list(snapshot.emergency_call_routing_policies.values()),
        "calling_line_identity_policy": list(snapshot.calling_line_identity_policies.values()),
        "association": list(snapshot.associations),
        "subscribed_sku": list(snapshot.subscribed_skus),
        "network_site": list(snapshot.network_sites),
        "location": [EmergencyLocation(location) for location in locations],
    }
    head = {"format": FILE_FORMAT, "tenant_id": tenant_id, "cloud": snapshot.cloud}
    lines = ["{", *(f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items())]
    lines.append('  "objects": {')
    blocks = [_kind_block(kind, every[kind]) for kind in FILE_KINDS]
    lines.append(",\n".join(blocks))
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def _kind_block(kind: str, objects: list[Any]) -> str:
    key = KINDS[kind].key
    ordered = sorted(objects, key=key)
    if not ordered:
        return f"    {json.dumps(kind)}: []"
    rows = ",\n".join(f"      {json.dumps(to_document(o), ensure_ascii=False)}" for o in ordered)
    return f"    {json.dumps(kind)}: [\n{rows}\n    ]"
