"""`python -m sharedcalling check`: text for people, exit codes for monitoring."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from pathlib import Path

import pytest

from sharedcalling.adapters.tenant.emulated import EmulatedTenantGateway
from sharedcalling.bootstrap import build_services
from sharedcalling.cli import main
from sharedcalling.config import load_settings
from sharedcalling.domain.tenant import AssignmentStatus
from sharedcalling.services.clock import SystemClock
from sharedcalling.services.hazards.check import run_check
from tests.hazards import edits
from tests.hazards.conftest import USERS
from tests.hazards.support import applied_setup


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}


def prepare(environ: dict[str, str], change: str | None = None) -> None:
    """A request of ours applied (and checked once), then perhaps one fact changed, in the
    database the command line uses."""

    async def run() -> None:
        async with build_services(load_settings(environ)) as services:
            tenant = services.tenant
            assert isinstance(tenant, EmulatedTenantGateway)
            await applied_setup(tenant, services.uow, SystemClock(), USERS)
            await run_check(services.hazard_ports(), trigger="cli")
            ra_number = edits.number(tenant, edits.RA_NUMBER)
            if change == "hazard":
                unassigned = AssignmentStatus.UNASSIGNED
                await edits.persist(tenant, replace(ra_number, assignment_status=unassigned,
                                                    assigned_target_id=None))  # fmt: skip
            elif change == "warning":
                flagged = replace(ra_number, shared_calling_policy_supported=False)
                await edits.persist(tenant, flagged)

    asyncio.run(run())


def check(environ: dict[str, str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check"], environ=environ, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_nothing_open_exits_0(environ: dict[str, str]) -> None:
    prepare(environ)
    code, out, _ = check(environ)
    assert code == 0
    assert "read the tenant (1 policy, 3 users watched)" in out
    assert out.rstrip().endswith("0 hazards, 0 warnings, 0 unknown -> exit 0 (NONE)")


def test_a_warning_only_exits_1(environ: dict[str, str]) -> None:
    prepare(environ, "warning")
    code, out, _ = check(environ)
    assert code == 1
    assert "WARNINGS (1):" in out
    assert "SC-R11" in out


def test_a_hazard_exits_2_and_says_what_changed(environ: dict[str, str]) -> None:
    prepare(environ, "hazard")
    code, out, _ = check(environ)
    assert code == 2
    assert "HAZARDS (1):" in out
    assert "[outbound_broken] SC-R03 Contoso Main Line" in out
    assert "changed numbers: +14255550100 (CallingPlan, Activated) -> none" in out
    code, again, _ = check(environ)  # the same hazard, still open, same id
    assert code == 2
    assert out.split("(HZ-")[1][:8] == again.split("(HZ-")[1][:8]


def test_a_failed_read_is_unknown_exit_3_never_a_hazard(environ: dict[str, str]) -> None:
    prepare(environ, "hazard")
    code, out, _ = check({**environ, "EMULATED_FAULTS": "snapshot=fail:1:unavailable"})
    assert code == 3
    assert "could not read it" in out
    assert "UNKNOWN (cannot tell; never counted as drift) (1):" in out
    assert "READ the tenant" in out
    assert "snapshot" in out
    assert "HAZARDS" not in out


def test_a_check_that_cannot_run_is_unknown(environ: dict[str, str]) -> None:
    code, _, err = check({**environ, "HAZARD_CHECK_INTERVAL": "1"})
    assert code == 3
    assert err.startswith("UNKNOWN: the hazard check could not run: Invalid configuration")
