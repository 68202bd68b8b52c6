"""numberAssignment reads (operatorId) and updateNumber writes in their documented shapes."""

from __future__ import annotations

import pytest

from sharedcalling.domain.desired import DesiredState
from sharedcalling.domain.rules import check
from sharedcalling.services.ports import SnapshotScope, TenantValidationError
from tests.demo_ids import LEE, RA_HELPDESK
from tests.fakes.fake_graph import graph_stack
from tests.fakes.fake_graph_json import guid_for

HELPDESK_NUMBER = "+14255550150"
MAINLINE_NUMBER = "+14255550100"
LOCATION = "00000000-0000-4000-c000-000000000002"
OPERATIONS = "/admin/teams/telephoneNumberManagement/operations(…)"


async def test_an_operator_connect_number_carries_the_operator_id_and_no_name() -> None:
    async with graph_stack() as stack:
        numbers = {n.telephone_number: n for n in await stack.gateway.list_numbers()}
        helpdesk = numbers[HELPDESK_NUMBER]
        assert helpdesk.operator_id == guid_for("Fabrikam Telecom")
        assert helpdesk.operator_name is None


async def test_sc_r09_names_the_operator_id_and_says_the_name_is_not_known() -> None:
    async with graph_stack() as stack:
        snapshot = await stack.gateway.snapshot(SnapshotScope(user_ids=[LEE]))
    findings = check(DesiredState(RA_HELPDESK, "HelpDesk", (LEE,)), snapshot)
    [operator] = [f for f in findings if f.code == "SC-R09"]
    assert operator.attest
    assert operator.message == (
        f"Confirm the operator of {HELPDESK_NUMBER} (operator id {guid_for('Fabrikam Telecom')}; "
        "the tenant data gives no name) supports Shared Calling."
    )


async def test_update_number_answers_200_and_nothing_is_polled() -> None:
    async with graph_stack() as stack:
        await stack.gateway.set_number_location(MAINLINE_NUMBER, LOCATION)
        await stack.gateway.set_number_location(MAINLINE_NUMBER, LOCATION)
        numbers = {n.telephone_number: n for n in await stack.gateway.list_numbers()}
        assert numbers[MAINLINE_NUMBER].location_id == LOCATION
        assert stack.sleeps == []
        assert stack.fake.calls[OPERATIONS] == 0


async def test_a_write_answered_with_an_operation_is_polled_until_it_succeeds() -> None:
    async with graph_stack() as stack:
        stack.fake.number_writes_async = True
        await stack.gateway.set_number_location(MAINLINE_NUMBER, LOCATION)
        numbers = {n.telephone_number: n for n in await stack.gateway.list_numbers()}
        assert numbers[MAINLINE_NUMBER].location_id == LOCATION
        assert stack.sleeps == [2.0]  # one "running" poll
        assert stack.fake.calls[OPERATIONS] == 2


async def test_a_failed_operation_reports_the_numbers_status_detail() -> None:
    async with graph_stack() as stack:
        stack.fake.number_writes_async = True
        stack.fake.failing_number_write = "The location is not valid for this number."
        with pytest.raises(TenantValidationError, match="operation failed: The location is not"):
            await stack.gateway.set_number_location(MAINLINE_NUMBER, LOCATION)
        numbers = {n.telephone_number: n for n in await stack.gateway.list_numbers()}
        assert numbers[MAINLINE_NUMBER].location_id != LOCATION
