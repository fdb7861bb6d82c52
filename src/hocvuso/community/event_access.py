"""Who may do what with an event, scoped by commune and organising team.

- A commune officer creates, edits, publishes and cancels the events of their
  commune and sees their attendance (names included).
- A leader of a commune's team does the same for the events their team
  organises (and creates events with their team as organiser).
- A province officer sees the attendance of the events of their province.
- A community helper of the commune records attendance by scanning cards and
  registers the people they assist.
- National admins (and superusers) may do everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.db.models import Q, QuerySet

from hocvuso.accounts.models import Role
from hocvuso.accounts.permissions import user_roles
from hocvuso.community.models import Event, MemberRole, Team, TeamMember

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser


def _is_national(user: AnyUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return any(a.role == Role.NATIONAL_ADMIN for a in user_roles(user))


def _commune_ids(user: AnyUser, role: str) -> set[int]:
    return {
        a.commune_id
        for a in user_roles(user)
        if a.role == role and a.commune_id is not None
    }


def officer_commune_ids(user: AnyUser) -> set[int]:
    """Return the communes where ``user`` is a commune officer."""
    return _commune_ids(user, Role.COMMUNE_OFFICER)


def led_team_ids(user: AnyUser) -> set[UUID]:
    """Return the ids of the active teams ``user`` leads."""
    if not user.is_authenticated:
        return set()
    return set(
        TeamMember.objects.filter(
            user_id=user.pk,
            role=MemberRole.LEADER,
            left_at__isnull=True,
            team__archived_at__isnull=True,
        ).values_list("team_id", flat=True)
    )


def events_manageable(user: AnyUser) -> QuerySet[Event]:
    """Return the events ``user`` may edit (drafts and cancelled included)."""
    qs = Event.objects.all()
    if _is_national(user):
        return qs
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    allowed = Q(commune_id__in=officer_commune_ids(user)) | Q(
        organiser_team_id__in=led_team_ids(user)
    )
    return qs.filter(allowed)


def event_can_manage(user: AnyUser, event: Event) -> bool:
    """Return whether ``user`` may edit, publish, cancel and check in ``event``."""
    if _is_national(user):
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    if event.commune_id in officer_commune_ids(user):
        return True
    return (
        event.organiser_team_id is not None
        and event.organiser_team_id in led_team_ids(user)
    )


def event_can_view_attendance(user: AnyUser, event: Event) -> bool:
    """Return whether ``user`` may see who attended (names) and export it."""
    if event_can_manage(user, event):
        return True
    province_id = event.commune.province_id
    return any(
        a.role == Role.PROVINCE_OFFICER and a.province_id == province_id
        for a in user_roles(user)
    )


def event_can_scan(user: AnyUser, event: Event) -> bool:
    """Return whether ``user`` may record others' attendance at ``event``."""
    return event_can_manage(user, event) or (
        event.commune_id in _commune_ids(user, Role.COMMUNITY_HELPER)
    )


def event_can_create(user: AnyUser, *, commune_id: int, team: Team | None) -> bool:
    """Return whether ``user`` may create an event in the commune (with ``team``)."""
    if team is not None and team.commune_id != commune_id:
        return False
    if _is_national(user):
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    if commune_id in officer_commune_ids(user):
        return True
    return team is not None and team.pk in led_team_ids(user)


def creatable_commune_ids(user: AnyUser) -> set[int] | None:
    """Return the communes where ``user`` may create events (None: all)."""
    if _is_national(user):
        return None
    ids = officer_commune_ids(user)
    if user.is_authenticated:
        ids |= set(
            Team.objects.filter(pk__in=led_team_ids(user)).values_list(
                "commune_id", flat=True
            )
        )
    return ids
