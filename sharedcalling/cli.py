"""Command line: `python -m sharedcalling plan ...` and `reset-tenant`, for admins who script."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from sharedcalling.bootstrap import build_services, reset_emulated_tenant
from sharedcalling.config import ConfigError, Settings, load_settings
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.services.exports import plan_to_json, plan_to_powershell
from sharedcalling.services.planning import PlanPreview, PlanRequest, preview_plan_request
from sharedcalling.services.ports import TenantError

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_BLOCKED = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sharedcalling", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help="check prerequisites and print the Shared Calling plan")
    plan.add_argument("--resource-account", required=True, help="UPN or object id")
    plan.add_argument("--policy", required=True, help="Shared Calling policy name, new or existing")
    plan.add_argument(
        "--emergency-number",
        action="append",
        dest="emergency_numbers",
        help="E.164 emergency callback number; repeat for several (default: keep the policy's)",
    )
    plan.add_argument("--user", action="append", dest="users", default=[], help="UPN or id")
    plan.add_argument("--users-file", type=Path, help="one UPN or id per line; # comments")
    plan.add_argument("--ra-voice-routing-policy", help="VRP with PSTN usages for a DR account")
    plan.add_argument("--emergency-location", help="location id for the account's number")
    plan.add_argument("--format", choices=("text", "json", "powershell"), default="text")
    commands.add_parser("reset-tenant", help="put the emulated tenant back to its seed")
    return parser


def read_users_file(path: Path) -> list[str]:
    """UPNs or ids, one per line; blank lines and `#` comments are skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput(f"Cannot read users file {path}: {exc.strerror}.") from None
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def plan_request(args: argparse.Namespace) -> PlanRequest:
    users = list(args.users)
    if args.users_file is not None:
        users.extend(read_users_file(args.users_file))
    return PlanRequest(
        resource_account=args.resource_account,
        policy_name=args.policy,
        users=users,
        emergency_numbers=args.emergency_numbers,
        ra_voice_routing_policy=args.ra_voice_routing_policy,
        emergency_location_id=args.emergency_location,
    )


def render_text(preview: PlanPreview) -> str:
    plan = preview.plan
    lines = [preview.summary, f"Fingerprint: {plan.fingerprint}", "", "Findings:"]
    for code, findings in preview.findings_by_code.items():
        for f in findings:
            attest = " (attest)" if f.attest else ""
            lines.append(f"  {code} {f.severity.value}{attest} {f.subject.display}: {f.message}")
    lines += ["", "Blocked: nothing can be applied." if plan.blocked else "Changes:"]
    for change in plan.changes:
        lines.append(f"  {change.kind.value} {change.subject.display}")
    return "\n".join(lines) + "\n"


def render(preview: PlanPreview, output_format: str) -> str:
    if output_format == "json":
        return json.dumps(plan_to_json(preview.plan), indent=2, ensure_ascii=False) + "\n"
    if output_format == "powershell":
        return plan_to_powershell(preview.plan)
    return render_text(preview)


async def run_plan(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    request = plan_request(args)
    async with build_services(settings) as services:
        preview = await preview_plan_request(request, tenant=services.tenant)
    out.write(render(preview, args.format))
    return EXIT_BLOCKED if preview.plan.blocked else EXIT_OK


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run one command; returns the exit code (0 plan, 1 bad input, 2 nothing can be applied)."""
    out, err = out or sys.stdout, err or sys.stderr
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(os.environ if environ is None else environ)
        if args.command == "reset-tenant":
            asyncio.run(reset_emulated_tenant(settings))
            out.write("The emulated tenant is back to its seed.\n")
            return EXIT_OK
        return asyncio.run(run_plan(args, settings, out))
    except (InvalidInput, TenantError, ConfigError) as exc:
        err.write(f"error: {exc}\n")
        return EXIT_BAD_INPUT
