"""`verify-audit` and `export-audit`: the audit trail from the command line (docs/cli.md)."""

from __future__ import annotations

import argparse
from typing import TextIO

from sharedcalling.adapters.store.uow import SqlUnitOfWorkFactory
from sharedcalling.bootstrap import open_database
from sharedcalling.config import Settings
from sharedcalling.domain.ids import TenantId
from sharedcalling.services.audit import (
    audit_entries,
    audit_to_csv,
    audit_to_json,
    verify_audit_chain,
)

EXIT_INTACT = 0
EXIT_BROKEN = 1


def add_audit_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    commands.add_parser(
        "verify-audit", help="recompute the audit log's hash chain; exit 1 naming the first break"
    )
    export = commands.add_parser("export-audit", help="print the audit log as CSV or JSON")
    export.add_argument("--format", choices=("csv", "json"), default="json")


async def run_verify_audit(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Exit 0 when the chain is intact, 1 when it is broken (the first break is named)."""
    async with open_database(settings) as engine:
        report = await verify_audit_chain(
            TenantId(settings.tenant_id), uow=SqlUnitOfWorkFactory(engine)
        )
    if report.ok:
        out.write(
            f"Audit log intact: {report.entries} entries, head {report.head_hash or 'none'}.\n"
        )
        return EXIT_INTACT
    where = f" at entry {report.broken_at}" if report.broken_at is not None else ""
    out.write(f"Audit log BROKEN{where}: {report.problem}\n")
    return EXIT_BROKEN


async def run_export_audit(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    tenant = TenantId(settings.tenant_id)
    async with open_database(settings) as engine:
        uow = SqlUnitOfWorkFactory(engine)
        entries = await audit_entries(tenant, uow=uow)
        report = await verify_audit_chain(tenant, uow=uow)
    out.write(audit_to_json(entries, report) if args.format == "json" else audit_to_csv(entries))
    return EXIT_INTACT if report.ok else EXIT_BROKEN
