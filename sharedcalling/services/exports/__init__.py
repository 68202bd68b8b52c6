"""Plan exports for review outside Teams: versioned JSON and an idempotent PowerShell script."""

from sharedcalling.services.exports.json_export import (
    PLAN_FORMAT,
    PLAN_FORMAT_VERSION,
    plan_to_json,
)
from sharedcalling.services.exports.powershell import plan_to_powershell, ps_literal

__all__ = ["PLAN_FORMAT", "PLAN_FORMAT_VERSION", "plan_to_json", "plan_to_powershell", "ps_literal"]
