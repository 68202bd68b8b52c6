"""Object ids of the demo tenant (docs/demo-tenant.md)."""

from sharedcalling.domain.ids import GroupId, UserId


def demo_user(nn: int) -> UserId:
    return UserId(f"00000000-0000-4000-8000-0000000000{nn:02d}")


def demo_group(n: int) -> GroupId:
    return GroupId(f"00000000-0000-4000-a000-{n:012d}")


MEGAN, ALEX, ADELE, LEE, DIEGO, ISAIAH, JOHANNA = (demo_user(n) for n in (1, 2, 3, 4, 5, 6, 7))
NESTOR, PATTI, LYNNE, GRADY, PRADEEP, HENRIETTA = (demo_user(n) for n in (8, 9, 10, 11, 12, 13))
MIRIAM, JONI = demo_user(14), demo_user(17)
RA_MAINLINE, RA_HELPDESK, RA_BERLIN, RA_SYDNEY, RA_SPARE = (demo_user(n) for n in range(51, 56))
VOICE_ADMINS, VOICE_APPROVERS, SEATTLE_FLOOR_2 = demo_group(1), demo_group(2), demo_group(3)
