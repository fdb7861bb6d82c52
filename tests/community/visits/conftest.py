"""Teams in three communes: A and B in one province (82), C in another (1)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from tests.factories import UserFactory, commune, user_with_role

from hocvuso.accounts.models import Role, User
from hocvuso.community.models import MemberRole, Team, TeamMember
from hocvuso.community.services import invitation_accept, invitation_create, team_create
from hocvuso.community.visits import VisitData

COMMUNE_A = 30178  # Xã Mỹ An Hưng, Đồng Tháp
COMMUNE_B = 28261  # Phường Mỹ Tho, Đồng Tháp
COMMUNE_C = 70  # Phường Hoàn Kiếm, Hà Nội
PROVINCE_AB = 82
NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam


@dataclass
class World:
    officer_a: User
    officer_c: User
    province_officer: User
    team: Team
    volunteer: User
    member: TeamMember
    other_team: Team


def join(
    user: User, team: Team, *, by: User, role: str = MemberRole.MEMBER
) -> TeamMember:
    invitation = invitation_create(actor=by, team=team, role=role)
    return invitation_accept(actor=user, code=invitation.code)


@pytest.fixture
def world(db: Any) -> World:
    return make_world()


def make_world() -> World:
    """Create the officers, the two teams and one volunteer in team A."""
    officer_a = user_with_role(Role.COMMUNE_OFFICER, commune_code=COMMUNE_A)
    officer_c = user_with_role(Role.COMMUNE_OFFICER, commune_code=COMMUNE_C)
    province_officer = user_with_role(Role.PROVINCE_OFFICER, province_code=PROVINCE_AB)
    team = team_create(
        actor=officer_a,
        commune=commune(COMMUNE_A),
        name="Tổ công nghệ số ấp 1",
        kind="community_tech",
    )
    other_team = team_create(
        actor=officer_c,
        commune=commune(COMMUNE_C),
        name="Đoàn thanh niên phường",
        kind="youth_union",
    )
    volunteer: User = UserFactory()
    member = join(volunteer, team, by=officer_a)
    return World(
        officer_a=officer_a,
        officer_c=officer_c,
        province_officer=province_officer,
        team=team,
        volunteer=volunteer,
        member=member,
        other_team=other_team,
    )


def visit_data(team: Team, **overrides: Any) -> VisitData:
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "team_id": team.pk,
        "visited_at": timezone.now() - timedelta(minutes=5),
        "hamlet": "Ấp 3",
        "people_helped": 2,
        "activities": ["vneid_installed", "level1_activated"],
    }
    values.update(overrides)
    return VisitData(**values)
