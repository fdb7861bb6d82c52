"""Teams, invitations, joining and leaving; the helper role follows membership."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.community.visits.conftest import COMMUNE_A, COMMUNE_C, World, join
from tests.factories import UserFactory, commune

from hocvuso.accounts.models import Role, RoleAssignment
from hocvuso.accounts.permissions import clear_role_cache
from hocvuso.community.errors import Invalid, InvitationInvalid, NotAllowed
from hocvuso.community.models import AmbassadorCard, Invitation, MemberRole, TeamMember
from hocvuso.community.services import (
    card_save,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    member_leave,
    team_archive,
    team_create,
    team_update,
)
from hocvuso.core.models import AuditLog


def helper_role(user: object, code: int) -> bool:
    return RoleAssignment.objects.filter(
        user=user, role=Role.COMMUNITY_HELPER, commune_id=code
    ).exists()


def test_officer_creates_a_team_only_in_their_commune(world: World) -> None:
    assert world.team.commune_id == COMMUNE_A
    assert AuditLog.objects.filter(action="team.create", object_id=str(world.team.pk))
    with pytest.raises(NotAllowed):
        team_create(
            actor=world.officer_a, commune=commune(COMMUNE_C), name="X", kind="other"
        )
    with pytest.raises(NotAllowed):
        team_create(
            actor=world.volunteer, commune=commune(COMMUNE_A), name="Y", kind="other"
        )


def test_a_team_name_is_unique_in_the_commune(world: World) -> None:
    with pytest.raises(Invalid, match="đã có"):
        team_create(
            actor=world.officer_a,
            commune=commune(COMMUNE_A),
            name="Tổ công nghệ số ấp 1",
            kind="other",
        )


def test_another_communes_officer_cannot_change_the_team(world: World) -> None:
    with pytest.raises(NotAllowed):
        team_update(
            actor=world.officer_c,
            team=world.team,
            name="Z",
            kind="other",
            description="",
        )
    with pytest.raises(NotAllowed):
        team_archive(actor=world.officer_c, team=world.team)
    with pytest.raises(NotAllowed):
        invitation_create(actor=world.officer_c, team=world.team)
    with pytest.raises(NotAllowed):
        invitation_create(actor=world.province_officer, team=world.team)


def test_joining_grants_the_helper_role_and_leaving_takes_it_back(world: World) -> None:
    assert world.member.role == MemberRole.MEMBER
    assert helper_role(world.volunteer, COMMUNE_A)
    assert Invitation.objects.get(team=world.team).uses == 1
    member_leave(actor=world.volunteer, member=world.member)
    clear_role_cache(world.volunteer)
    assert not helper_role(world.volunteer, COMMUNE_A)
    assert AuditLog.objects.filter(action="role.revoke").count() == 1


def test_leaving_one_team_keeps_the_role_while_in_another_of_the_commune(
    world: World,
) -> None:
    second = team_create(
        actor=world.officer_a,
        commune=commune(COMMUNE_A),
        name="Hội phụ nữ",
        kind="womens_union",
    )
    join(world.volunteer, second, by=world.officer_a)
    member_leave(actor=world.volunteer, member=world.member)
    assert helper_role(world.volunteer, COMMUNE_A)


def test_leaving_keeps_a_role_that_an_officer_granted(world: World) -> None:
    helper = UserFactory()
    RoleAssignment.objects.create(
        user=helper, role=Role.COMMUNITY_HELPER, commune_id=COMMUNE_A
    )
    member = join(helper, world.team, by=world.officer_a)
    member_leave(actor=helper, member=member)
    assert helper_role(helper, COMMUNE_A)


def test_single_use_invitation_works_once_and_accepting_again_is_idempotent(
    world: World,
) -> None:
    invitation = invitation_create(actor=world.officer_a, team=world.team)
    first = UserFactory()
    member = invitation_accept(actor=first, code=invitation.code.lower())
    assert invitation_accept(actor=first, code=invitation.code) == member
    with pytest.raises(InvitationInvalid, match="đã được dùng"):
        invitation_accept(actor=UserFactory(), code=invitation.code)


def test_multi_use_invitation_expires_and_can_be_revoked(world: World) -> None:
    now = timezone.now()
    invitation = invitation_create(
        actor=world.officer_a, team=world.team, max_uses=30, days=2, now=now
    )
    invitation_accept(actor=UserFactory(), code=invitation.code, now=now)
    invitation_accept(actor=UserFactory(), code=invitation.code, now=now)
    with pytest.raises(InvitationInvalid, match="hết hạn"):
        invitation_accept(
            actor=UserFactory(), code=invitation.code, now=now + timedelta(days=3)
        )
    invitation_revoke(actor=world.officer_a, invitation=invitation)
    with pytest.raises(InvitationInvalid, match="hủy"):
        invitation_accept(actor=UserFactory(), code=invitation.code, now=now)
    with pytest.raises(InvitationInvalid, match="không đúng"):
        invitation_accept(actor=UserFactory(), code="NOPE2345")


def test_invitation_limits_are_checked(world: World) -> None:
    with pytest.raises(Invalid):
        invitation_create(actor=world.officer_a, team=world.team, max_uses=0)
    with pytest.raises(Invalid):
        invitation_create(actor=world.officer_a, team=world.team, days=365)
    with pytest.raises(Invalid):
        invitation_create(
            actor=world.officer_a, team=world.team, role=MemberRole.LEADER
        )


def test_a_leader_invites_but_a_member_does_not(world: World) -> None:
    with pytest.raises(NotAllowed):
        invitation_create(actor=world.volunteer, team=world.team)
    leader = UserFactory()
    TeamMember.objects.create(
        team=world.team, user=leader, role=MemberRole.LEADER, joined_at=timezone.now()
    )
    assert invitation_create(actor=leader, team=world.team).team == world.team


def test_archiving_ends_memberships_and_invitations(world: World) -> None:
    invitation = invitation_create(actor=world.officer_a, team=world.team, max_uses=5)
    team_archive(actor=world.officer_a, team=world.team)
    world.member.refresh_from_db()
    assert world.member.left_at is not None
    assert not helper_role(world.volunteer, COMMUNE_A)
    with pytest.raises(InvitationInvalid):
        invitation_accept(actor=UserFactory(), code=invitation.code)


def test_ambassador_card_is_their_own_and_hidden_when_they_leave(world: World) -> None:
    ambassador = UserFactory()
    member = join(
        ambassador, world.team, by=world.officer_a, role=MemberRole.AMBASSADOR
    )
    with pytest.raises(NotAllowed):
        card_save(actor=world.officer_a, member=member, display_name="X", helps_with=[])
    with pytest.raises(NotAllowed):
        card_save(
            actor=world.volunteer, member=world.member, display_name="X", helps_with=[]
        )
    with pytest.raises(Invalid):
        card_save(
            actor=ambassador, member=member, display_name="Lan", helps_with=["nope"]
        )
    card = card_save(
        actor=ambassador,
        member=member,
        display_name="  Chị   Lan ",
        helps_with=["payment", "vneid_installed"],
    )
    assert card.display_name == "Chị Lan"
    assert card.helps_with == ["vneid_installed", "payment"]
    assert card.contact == ""
    member_leave(actor=ambassador, member=member)
    assert not AmbassadorCard.objects.get(pk=card.pk).published
