import re

from sharedcalling.domain.rules import RULES, Severity

CHECKED_IN_CODES = [
    "SC-T01", "SC-T03", "SC-T04", "SC-T05",
    "SC-U01", "SC-U02", "SC-U03", "SC-U04", "SC-U05", "SC-U06", "SC-U07", "SC-U08", "SC-U09",
    "SC-R01", "SC-R02", "SC-R03", "SC-R04", "SC-R05", "SC-R06", "SC-R07", "SC-R08", "SC-R09",
    "SC-R10", "SC-R11",
    "SC-E01", "SC-E02", "SC-E03", "SC-E04", "SC-E05", "SC-E06", "SC-E07", "SC-E08", "SC-E09",
    "SC-P01", "SC-P02", "SC-P03", "SC-P05", "SC-P06", "SC-P08",
]  # fmt: skip


def test_rule_codes_are_unique():
    codes = [rule.code for rule in RULES]
    assert len(codes) == len(set(codes))


def test_rule_codes_follow_the_reference_pattern():
    assert all(re.fullmatch(r"SC-[TUREP]\d{2}", rule.code) for rule in RULES)


def test_rule_codes_equal_the_checked_in_list():
    assert [rule.code for rule in RULES] == CHECKED_IN_CODES


def test_every_rule_has_a_summary_and_a_severity():
    assert all(rule.summary and isinstance(rule.severity, Severity) for rule in RULES)
