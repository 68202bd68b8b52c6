"""The workflow's commands as people type them."""

from __future__ import annotations

import pytest

from bot.commands import AuditExport, MyRequests, PendingApprovals, ShowRequest, parse_command


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("my requests", MyRequests()),
        ("Show my requests?", MyRequests()),
        ("pending approvals", PendingApprovals()),
        ("my approvals", PendingApprovals()),
        ("show request SC-7K2M9QF4", ShowRequest("SC-7K2M9QF4")),
        ("open request sc-7k2m 9qf4", ShowRequest("sc-7k2m 9qf4")),
        ("audit export", AuditExport(None)),
        ("export the audit log as CSV", AuditExport("csv")),
        ("audit export json", AuditExport("json")),
    ],
)
def test_workflow_commands_parse(typed: str, command: object) -> None:
    assert parse_command(typed) == command


def test_a_question_about_requests_is_not_taken_for_a_caller_id_question() -> None:
    assert not isinstance(parse_command("show request"), ShowRequest)
