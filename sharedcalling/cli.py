"""Command line for admins who script: plan, callerid, check, export-tenant, reset-tenant
(docs/cli.md)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from sharedcalling.bootstrap import build_services, export_tenant, reset_emulated_tenant
from sharedcalling.cli_audit import add_audit_commands, run_export_audit, run_verify_audit
from sharedcalling.cli_check import cannot_check, run_check_command
from sharedcalling.cli_text import render_answer_text
from sharedcalling.config import ConfigError, Settings, load_settings
from sharedcalling.domain.errors import InvalidInput
from sharedcalling.services.callerid import Ambiguous, Answered, NotFound, answer_caller_id
from sharedcalling.services.exports import plan_to_json, plan_to_powershell
from sharedcalling.services.exports.callerid_json import caller_id_to_json
from sharedcalling.services.planning import PlanPreview, PlanRequest, preview_plan_request
from sharedcalling.services.ports import TenantError

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_BLOCKED = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sharedcalling", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    _add_plan(commands)
    callerid = commands.add_parser(
        "callerid", help="which number a user calls out as (read-only, any user)"
    )
    callerid.add_argument("--user", required=True, help="UPN, object id or display name")
    callerid.add_argument("--format", choices=("text", "json"), default="text")
    export = commands.add_parser(
        "export-tenant", help="write the configured backend's tenant as a tenant file"
    )
    export.add_argument("--out", required=True, type=Path, help="the tenant file to write")
    commands.add_parser("reset-tenant", help="put the emulated tenant back to its seed")
    add_audit_commands(commands)
    commands.add_parser(
        "check",
        help="run the hazard check once (exit 0 none, 1 warnings, 2 hazards, 3 unknown)",
    )
    return parser


def _add_plan(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    plan = commands.add_parser("plan", help="check prerequisites and print the Shared Calling plan")
    plan.add_argument("--resource-account", required=True, help="UPN or object id")
    plan.add_argument("--policy", required=True, help="Shared Calling policy name, new or existing")
    plan.add_argument(
        "--emergency-number",
        action="append",
        dest="emergency_numbers",
        help="E.164 emergency callback number, in the order wanted; repeat for several "
        "(default: keep the policy's)",
    )
    plan.add_argument("--user", action="append", dest="users", default=[], help="UPN or id")
    plan.add_argument("--users-file", type=Path, help="one UPN or id per line; # comments")
    plan.add_argument(
        "--extension-dialing-user",
        action="append",
        dest="extension_dialing_users",
        default=[],
        help="UPN or id of a user who keeps a Direct Routing ;ext= number (SC-U06); repeatable",
    )
    plan.add_argument("--ra-voice-routing-policy", help="VRP with PSTN usages for a DR account")
    plan.add_argument("--emergency-location", help="location id for the account's number")
    plan.add_argument("--format", choices=("text", "json", "powershell"), default="text")


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
        extension_dialing_users=args.extension_dialing_users,
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


async def run_callerid(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    async with build_services(settings) as services:
        result = await answer_caller_id(args.user, tenant=services.tenant)
    if isinstance(result, NotFound):
        raise InvalidInput(f"No user {result.query} in this tenant.")
    if isinstance(result, Ambiguous):
        listed = ", ".join(p.user_principal_name for p in result.candidates)
        raise InvalidInput(f"{result.query!r} matches several people: {listed}; give a UPN.")
    if not isinstance(result, Answered):  # the operator use case never refuses
        raise InvalidInput(f"Cannot answer for {args.user}.")
    if args.format == "json":
        out.write(json.dumps(caller_id_to_json(result), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(render_answer_text(result))
    return EXIT_OK


async def run_export(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    accounts = await export_tenant(settings, args.out)
    out.write(f"Wrote {accounts} accounts of tenant {settings.tenant_id} to {args.out}.\n")
    return EXIT_OK


def _describe(error: Exception) -> str:
    # One line per problem: a single configuration problem reads as one line, with its key.
    if isinstance(error, ConfigError) and len(error.problems) == 1:
        return f"Invalid configuration: {error.problems[0]}"
    return str(error)


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run one command; returns the exit code (0 done, 1 bad input, 2 nothing can be applied)."""
    out, err = out or sys.stdout, err or sys.stderr
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(os.environ if environ is None else environ)
        if args.command == "reset-tenant":
            asyncio.run(reset_emulated_tenant(settings))
            out.write("The emulated tenant is back to its seed.\n")
            return EXIT_OK
        runner = {
            "plan": run_plan,
            "callerid": run_callerid,
            "export-tenant": run_export,
            "verify-audit": run_verify_audit,
            "export-audit": run_export_audit,
            "check": run_check_command,
        }
        return asyncio.run(runner[args.command](args, settings, out))
    except (InvalidInput, TenantError, ConfigError) as exc:
        if args.command == "check":  # monitoring: "cannot tell" is UNKNOWN, never "bad input"
            return cannot_check(err, _describe(exc))
        err.write(f"error: {_describe(exc)}\n")
        return EXIT_BAD_INPUT
