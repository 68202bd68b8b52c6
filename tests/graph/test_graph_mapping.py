from __future__ import annotations

from sharedcalling.adapters.tenant import graph_mapping as gm
from sharedcalling.domain.ids import GroupId, UserId
from sharedcalling.domain.tenant import (
    AccountType,
    AssignmentStatus,
    Capability,
    Group,
    NumberType,
    PolicyRef,
    PolicyType,
    ProvisioningStatus,
)

# Shapes as Graph v1.0 documents them (scrubbed to the demo tenant).
CONFIG = {
    "id": "00000000-0000-4000-8000-000000000009",
    "accountType": "user",
    "isEnterpriseVoiceEnabled": True,
    "featureTypes": ["Teams", "PhoneSystem"],
    "telephoneNumbers": [],
    "effectivePolicyAssignments": [
        {
            "policyType": "teamsSharedCallingRoutingPolicy",
            "policyAssignment": {"displayName": "Tag:HelpDesk", "assignmentType": "direct"},
        },
        {
            "policyType": "OnlineVoiceRoutingPolicy",
            "policyAssignment": {
                "displayName": "NoPSTN",
                "assignmentType": "group",
                "groupId": "00000000-0000-4000-A000-000000000003",
            },
        },
        {
            "policyType": "TeamsEmergencyCallRoutingPolicy",
            "policyAssignment": {"displayName": "Global", "assignmentType": "direct"},
        },
        {"policyType": "TeamsMeetingPolicy", "policyAssignment": {"displayName": "AllOn"}},
    ],
}
MCOEV_ID = "4828c8ec-dc2e-4779-b502-87ac9ce28ab7"
TEAMS1_ID = "57ff2da0-773e-42df-b2af-ffb7a2317929"
E5_ID = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
# subscribedSku with servicePlanInfo entries (subscribedsku.md, serviceplaninfo.md).
SKUS = [
    {
        "skuId": E5_ID,
        "skuPartNumber": "SPE_E5",
        "servicePlans": [
            {
                "servicePlanId": MCOEV_ID,
                "servicePlanName": "MCOEV",
                "provisioningStatus": "Success",
            },
            {
                "servicePlanId": TEAMS1_ID,
                "servicePlanName": "TEAMS1",
                "provisioningStatus": "Success",
            },
        ],
    }
]
# user.assignedLicenses / assignedPlans / provisionedPlans (assignedlicense.md, assignedplan.md,
# provisionedplan.md): Teams Phone assigned and still pending at its service.
LICENSED = {
    "assignedLicenses": [{"skuId": E5_ID, "disabledPlans": []}],
    "assignedPlans": [
        {"capabilityStatus": "Enabled", "service": "MicrosoftCommunicationsOnline",
         "servicePlanId": MCOEV_ID},
        {"capabilityStatus": "Enabled", "service": "TeamspaceAPI", "servicePlanId": TEAMS1_ID},
    ],
    "provisionedPlans": [
        {"capabilityStatus": "Enabled", "provisioningStatus": "PendingProvisioning",
         "service": "MicrosoftCommunicationsOnline"},
        {"capabilityStatus": "Enabled", "provisioningStatus": "Success", "service": "TeamspaceAPI"},
    ],
}  # fmt: skip
NUMBER = {
    "telephoneNumber": "+14255550100",
    "numberType": "callingPlan",
    "activationState": "activated",
    "assignmentStatus": "voiceApplicationAssigned",
    "assignmentTargetId": "00000000-0000-4000-8000-000000000051",
    "capabilities": ["voiceApplicationAssignment", "conferenceAssignment", "teamsPhoneMobile"],
    "isoCountryCode": "US",
    "locationId": "00000000-0000-4000-c000-000000000001",
    "numberSource": "online",
    "operatorId": "2b24d246-a9ee-428b-96bc-fb9d9a053c8d",
}


def test_graph_camel_case_enums_map_to_microsoft_spellings() -> None:
    assert gm.parse_enum(AccountType, "sfbOnPremUser") is AccountType.SFB_ON_PREM
    assert gm.parse_enum(AccountType, "resourceAccount") is AccountType.RESOURCE_ACCOUNT
    assert gm.parse_enum(NumberType, "unknownFutureValue") is None


def test_only_direct_named_assignments_become_direct_policies() -> None:
    assert gm.direct_policies(CONFIG) == (PolicyRef(PolicyType.SHARED_CALLING, "HelpDesk"),)


def test_a_user_combines_basics_licenses_and_teams_configuration() -> None:
    basic = {
        "id": CONFIG["id"].upper(),
        "userPrincipalName": "PattiF@contoso.example",
        "displayName": "Patti Fernandez",
        "accountEnabled": False,
        "usageLocation": "US",
        "mailNickname": "PattiF",
        **LICENSED,
    }
    user = gm.user_from_graph(
        basic, catalog=gm.SkuCatalog(SKUS), config=CONFIG, roles=["Teams Administrator"]
    )
    assert user.id == CONFIG["id"]
    assert not user.account_enabled
    assert user.enterprise_voice_enabled
    assert user.plan_status("MCOEV") is ProvisioningStatus.PENDING_PROVISIONING
    assert user.directory_roles == ("Teams Administrator",)


def test_a_user_without_teams_configuration_is_a_plain_user_with_voice_off() -> None:
    user = gm.user_from_graph({"id": "x", "userPrincipalName": "a@b"})
    assert user.account_type is AccountType.USER
    assert not user.enterprise_voice_enabled
    assert gm.user_from_graph({"id": "x"}, config={"accountType": "unknown"}).account_type is (
        AccountType.INELIGIBLE
    )


def test_a_number_assignment_maps_and_skips_unknown_capabilities() -> None:
    number = gm.number_from_graph(NUMBER)
    assert number is not None
    assert number.number_type is NumberType.CALLING_PLAN
    assert number.assignment_status is AssignmentStatus.VOICE_APPLICATION_ASSIGNED
    assert number.capabilities == (
        Capability.VOICE_APPLICATION_ASSIGNMENT,
        Capability.CONFERENCE_ASSIGNMENT,
    )
    assert number.is_service_number
    assert (number.operator_id, number.operator_name) == (NUMBER["operatorId"], None)
    assert gm.number_from_graph(NUMBER | {"numberType": "internalCalling"}) is None


def test_group_members_keep_nested_groups_apart() -> None:
    group = gm.group_from_graph(
        {"id": "G", "displayName": "Seattle Floor 2"},
        [
            {"@odata.type": "#microsoft.graph.user", "id": "U2"},
            {"@odata.type": "#microsoft.graph.group", "id": "N1"},
        ],
    )
    assert group.member_ids == ("u2",)
    assert group.nested_group_ids == ("n1",)


def test_a_group_assignment_that_beats_a_rival_for_a_common_member_ranks_first() -> None:
    a, b = GroupId("a"), GroupId("b")
    both, only_b = UserId("both"), UserId("only-b")
    groups = {a: Group(a, "A", (both,)), b: Group(b, "B", (both, only_b))}
    wins = [
        (PolicyType.SHARED_CALLING, a, "Seattle", both),
        (PolicyType.SHARED_CALLING, b, "HelpDesk", only_b),
    ]
    ranked = gm.infer_group_assignments(wins, groups)
    assert [(x.group_id, x.rank) for x in ranked] == [(a, 1), (b, 2)]


def test_search_terms_are_quoted_and_escaped() -> None:
    assert gm.search_clause('a"b') == (
        '"displayName:a\\"b" OR "userPrincipalName:a\\"b" OR "mailNickname:a\\"b"'
    )
