"""Reads for the community app: who may see what, teams, visits, tallies.

Permissions follow the administrative units: a commune officer sees and
changes the teams and visits of their commune, a province officer reads those
of their province, a volunteer sees their own visits and their teams'
(``team_access``). ``visit_tallies`` is the interface the programs app uses to
count people reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from hocvuso.accounts.models import Role
from hocvuso.accounts.permissions import user_roles
from hocvuso.community.errors import NotFoundHere
from hocvuso.community.models import (
    Activity,
    AmbassadorCard,
    Invitation,
    MemberRole,
    Team,
    TeamMember,
    Visit,
    VisitActivity,
)

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class TeamAccess:
    """What one person may do with one team (precomputed for templates)."""

    view: bool
    manage: bool
    invite: bool
    member: TeamMember | None

    @property
    def log_visits(self) -> bool:
        return self.member is not None


def _is_national(user: AnyUser) -> bool:
    return bool(getattr(user, "is_superuser", False)) or any(
        a.role == Role.NATIONAL_ADMIN for a in user_roles(user)
    )


def officer_commune_codes(user: AnyUser) -> set[int]:
    """Return the codes of the communes where ``user`` is a commune officer."""
    return {
        a.commune_id
        for a in user_roles(user)
        if a.role == Role.COMMUNE_OFFICER and a.commune_id is not None
    }


def officer_province_codes(user: AnyUser) -> set[int]:
    return {
        a.province_id
        for a in user_roles(user)
        if a.role == Role.PROVINCE_OFFICER and a.province_id is not None
    }


def can_manage_commune(user: AnyUser, commune_code: int) -> bool:
    """Return whether ``user`` may create and change teams in the commune."""
    if not user.is_authenticated:
        return False
    return _is_national(user) or commune_code in officer_commune_codes(user)


def active_membership(user: AnyUser, team: Team) -> TeamMember | None:
    if not user.is_authenticated:
        return None
    return (
        TeamMember.objects.filter(team=team, user_id=user.pk, left_at__isnull=True)
        .select_related("user")
        .first()
    )


def team_access(user: AnyUser, team: Team) -> TeamAccess:
    """Return what ``user`` may do with ``team``."""
    if not user.is_authenticated:
        return TeamAccess(view=False, manage=False, invite=False, member=None)
    manage = can_manage_commune(user, team.commune_id)
    member = active_membership(user, team)
    province = team.commune.province_id in officer_province_codes(user)
    active = team.archived_at is None
    return TeamAccess(
        view=manage or province or member is not None,
        manage=manage,
        invite=active
        and (manage or (member is not None and member.role == MemberRole.LEADER)),
        member=member if active else None,
    )


def team_get_for_user(*, user: AnyUser, team_id: object) -> tuple[Team, TeamAccess]:
    """Return a team the user may see and their access, or raise ``NotFoundHere``.

    Another commune's team is "not found", never "forbidden": its existence is
    not disclosed.
    """
    team = (
        Team.objects.select_related("commune__province")
        .filter(pk=team_id)  # type: ignore[misc]
        .first()
    )
    if team is None:
        raise NotFoundHere()
    access = team_access(user, team)
    if not access.view:
        raise NotFoundHere()
    return team, access


def teams_of_commune(*, commune_code: int, archived: bool = False) -> QuerySet[Team]:
    return (
        Team.objects.filter(commune_id=commune_code, archived_at__isnull=not archived)
        .annotate(
            active_members=Count("members", filter=Q(members__left_at__isnull=True))
        )
        .order_by("name")
    )


def memberships_of(user: AnyUser) -> QuerySet[TeamMember]:
    """Return the user's current memberships of active teams."""
    if not user.is_authenticated:
        return TeamMember.objects.none()
    return (
        TeamMember.objects.filter(
            user_id=user.pk, left_at__isnull=True, team__archived_at__isnull=True
        )
        .select_related("team__commune__province")
        .order_by("team__name")
    )


def team_members(team: Team) -> QuerySet[TeamMember]:
    return (
        TeamMember.objects.filter(team=team, left_at__isnull=True)
        .select_related("user", "card")
        .order_by("role", "joined_at")
    )


def invitation_by_code(code: str) -> Invitation | None:
    code = code.strip().upper().replace("-", "").replace(" ", "")
    if not code or len(code) > 16:
        return None
    return (
        Invitation.objects.select_related("team__commune__province")
        .filter(code=code)
        .first()
    )


def team_invitations(team: Team) -> QuerySet[Invitation]:
    now = timezone.now()
    return Invitation.objects.filter(
        team=team, revoked_at__isnull=True, expires_at__gt=now
    ).order_by("-created_at")


def public_cards(*, commune_code: int) -> QuerySet[AmbassadorCard]:
    """Return the published cards of the commune's current ambassadors."""
    return (
        AmbassadorCard.objects.filter(
            published=True,
            member__left_at__isnull=True,
            member__role=MemberRole.AMBASSADOR,
            member__team__commune_id=commune_code,
            member__team__archived_at__isnull=True,
        )
        .select_related("member__team")
        .order_by("display_name")
    )


def hamlet_suggestions(*, team: Team, limit: int = 50) -> list[str]:
    """Return the hamlets the team visited, most visited first."""
    rows = (
        Visit.objects.filter(team=team)
        .values("hamlet")
        .annotate(n=Count("id"))
        .order_by("-n", "hamlet")[:limit]
    )
    return [r["hamlet"] for r in rows]


def visits_visible(user: AnyUser) -> QuerySet[Visit]:
    """Return the visits ``user`` may read.

    Their own, their current teams', their commune's (officer), their
    province's (province officer), everyone's (national admin).
    """
    qs = Visit.objects.select_related("team", "volunteer")
    if not user.is_authenticated:
        return qs.none()
    if _is_national(user):
        return qs
    allowed = Q(volunteer_id=user.pk)
    team_ids = TeamMember.objects.filter(user_id=user.pk, left_at__isnull=True).values(
        "team_id"
    )
    allowed |= Q(team_id__in=team_ids)
    communes = officer_commune_codes(user)
    if communes:
        allowed |= Q(commune_id__in=communes)
    provinces = officer_province_codes(user)
    if provinces:
        allowed |= Q(commune__province_id__in=provinces)
    return qs.filter(allowed)


def visit_get_for_user(*, user: AnyUser, visit_id: object) -> Visit:
    visit = visits_visible(user).filter(pk=visit_id).first()  # type: ignore[misc]
    if visit is None:
        raise NotFoundHere()
    return visit


def followups(
    *, user: AnyUser, team: Team | None = None, today: date | None = None
) -> QuerySet[Visit]:
    """Return the open follow-ups: the user's own, or a team's, soonest first."""
    qs = visits_visible(user).filter(
        followup_due__isnull=False, followup_done_at__isnull=True
    )
    qs = qs.filter(team=team) if team is not None else qs.filter(volunteer_id=user.pk)
    return qs.order_by("followup_due", "visited_at")


@dataclass
class Tallies:
    """People reached and visits made, overall, by activity and by month.

    ``by_activity`` maps each ``Activity`` value to the people helped in the
    visits where it was done (every activity is present, zero included);
    ``by_month`` maps the first day of each month (local time) to people.
    """

    visits: int = 0
    people: int = 0
    by_activity: dict[str, int] = field(default_factory=dict)
    visits_by_activity: dict[str, int] = field(default_factory=dict)
    by_month: dict[date, int] = field(default_factory=dict)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    low = timezone.make_aware(datetime.combine(start, time.min), tz)
    high = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz)
    return low, high


def visit_tallies(
    *,
    commune_codes: list[int] | None = None,
    province_code: int | None = None,
    team: Team | None = None,
    start: date,
    end: date,
) -> Tallies:
    """Count visits and people helped from ``start`` to ``end`` (both included).

    Filter by communes, by a province, or by one team (any combination; none
    means nationwide). Dates are local days (``TIME_ZONE``). This does not
    check permissions: callers pass the units the reader may see.
    """
    low, high = _bounds(start, end)
    visits = Visit.objects.filter(visited_at__gte=low, visited_at__lt=high)
    if commune_codes is not None:
        visits = visits.filter(commune_id__in=commune_codes)
    if province_code is not None:
        visits = visits.filter(commune__province_id=province_code)
    if team is not None:
        visits = visits.filter(team=team)
    totals = visits.aggregate(n=Count("id"), people=Sum("people_helped"))
    out = Tallies(visits=totals["n"] or 0, people=totals["people"] or 0)
    out.by_activity = {a.value: 0 for a in Activity}
    out.visits_by_activity = {a.value: 0 for a in Activity}
    rows = (
        VisitActivity.objects.filter(visit__in=visits)
        .values("activity")
        .annotate(n=Count("id"), people=Sum("visit__people_helped"))
    )
    for row in rows:
        out.by_activity[row["activity"]] = row["people"] or 0
        out.visits_by_activity[row["activity"]] = row["n"]
    months = (
        visits.annotate(month=TruncMonth("visited_at"))
        .values("month")
        .annotate(people=Sum("people_helped"))
        .order_by("month")
    )
    for mrow in months:
        month = mrow["month"]
        key = month.date() if isinstance(month, datetime) else month
        out.by_month[key] = mrow["people"] or 0
    return out
