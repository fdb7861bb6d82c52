"""Reads for events: public lists, permission-aware getters, attendance tallies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hocvuso.community import event_access
from hocvuso.community.event_errors import EventNotAllowed, EventNotFound
from hocvuso.community.festival import VIETNAM
from hocvuso.community.models import (
    Attendance,
    Event,
    EventRegistration,
    EventStatus,
    RegistrationStatus,
)

if TYPE_CHECKING:
    from uuid import UUID

    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    from hocvuso.accounts.models import User


def _with_places(qs: QuerySet[Event]) -> QuerySet[Event]:
    return qs.select_related(
        "commune__province", "target_group", "organiser_team"
    ).annotate(
        n_registered=Count(
            "registrations",
            filter=Q(registrations__status=RegistrationStatus.REGISTERED),
        ),
        n_waiting=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)
        ),
    )


def event_list_public(
    *,
    province_code: int | None = None,
    commune_code: int | None = None,
    kind: str | None = None,
    day_from: date | None = None,
    day_to: date | None = None,
    now: datetime | None = None,
) -> QuerySet[Event]:
    """Return published events not yet over, soonest first, with places counted."""
    now = now or timezone.now()
    qs = Event.objects.filter(status=EventStatus.PUBLISHED, ends_at__gt=now)
    if commune_code is not None:
        qs = qs.filter(commune_id=commune_code)
    elif province_code is not None:
        qs = qs.filter(commune__province_id=province_code)
    if kind:
        qs = qs.filter(kind=kind)
    if day_from is not None:
        qs = qs.filter(ends_at__gte=datetime.combine(day_from, time.min, VIETNAM))
    if day_to is not None:
        qs = qs.filter(starts_at__lte=datetime.combine(day_to, time.max, VIETNAM))
    return _with_places(qs).order_by("starts_at", "title")


def event_get_visible(
    *, user: AbstractBaseUser | AnonymousUser, event_id: UUID | str
) -> Event:
    """Return the event if it is public (published or cancelled) or ``user`` runs it."""
    try:
        event = _with_places(Event.objects.filter(pk=event_id)).get()
    except (Event.DoesNotExist, ValueError) as exc:
        raise EventNotFound from exc
    if event.status == EventStatus.DRAFT and not event_access.event_can_manage(
        user, event
    ):
        raise EventNotFound
    return event


def event_get_for_manage(
    *, user: AbstractBaseUser | AnonymousUser, event_id: UUID | str
) -> Event:
    """Return the event if ``user`` may change it; else raise."""
    event = event_get_visible(user=user, event_id=event_id)
    if not event_access.event_can_manage(user, event):
        raise EventNotAllowed
    return event


def event_get_for_attendance(
    *, user: AbstractBaseUser | AnonymousUser, event_id: UUID | str
) -> Event:
    """Return the event if ``user`` may see the names of those who came."""
    event = event_get_visible(user=user, event_id=event_id)
    if not event_access.event_can_view_attendance(user, event):
        raise EventNotAllowed
    return event


def events_managed(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Event]:
    """Return the events ``user`` may change, newest first."""
    return _with_places(event_access.events_manageable(user)).order_by("-starts_at")


def registration_of(
    *, user: AbstractBaseUser | AnonymousUser, event: Event
) -> EventRegistration | None:
    if not user.is_authenticated:
        return None
    return EventRegistration.objects.filter(event=event, user_id=user.pk).first()


def attendance_of(
    *, user: AbstractBaseUser | AnonymousUser, event: Event
) -> Attendance | None:
    if not user.is_authenticated:
        return None
    return Attendance.objects.filter(event=event, user_id=user.pk).first()


def registrations_of_user(*, user: User) -> QuerySet[EventRegistration]:
    """Return the person's registrations, upcoming and cancelled events first."""
    return (
        EventRegistration.objects.filter(user=user)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("event__commune")
        .order_by("-event__starts_at")
    )


def event_registrations(*, event: Event) -> QuerySet[EventRegistration]:
    return (
        EventRegistration.objects.filter(event=event)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("user", "registered_by")
        .order_by("status", "queued_at")
    )


def event_attendances(*, event: Event) -> QuerySet[Attendance]:
    return (
        Attendance.objects.filter(event=event)
        .select_related("user", "recorded_by")
        .order_by("checked_in_at", "id")
    )


@dataclass(frozen=True)
class AttendanceTally:
    """How many came to a commune's events of one kind over a period."""

    commune_code: int
    kind: str
    events: int
    attendances: int
    walk_ins: int

    @property
    def registered(self) -> int:
        return self.attendances - self.walk_ins


def event_attendance_tallies(
    *,
    commune_codes: Sequence[int] | None = None,
    province_code: int | None = None,
    start: datetime,
    end: datetime,
) -> list[AttendanceTally]:
    """Return attendance per commune and kind, for events starting in [start, end).

    Cancelled events are left out. For the programs indicators: one query,
    grouped in the database.
    """
    qs = Event.objects.filter(starts_at__gte=start, starts_at__lt=end).exclude(
        status=EventStatus.CANCELLED
    )
    if commune_codes is not None:
        qs = qs.filter(commune_id__in=list(commune_codes))
    if province_code is not None:
        qs = qs.filter(commune__province_id=province_code)
    rows = (
        qs.values("commune_id", "kind")
        .annotate(
            n_events=Count("id", distinct=True),
            n_att=Count("attendances", distinct=True),
            n_walk=Count(
                "attendances",
                filter=Q(attendances__was_registered=False),
                distinct=True,
            ),
        )
        .order_by("commune_id", "kind")
    )
    return [
        AttendanceTally(
            commune_code=r["commune_id"],
            kind=r["kind"],
            events=r["n_events"],
            attendances=r["n_att"],
            walk_ins=r["n_walk"],
        )
        for r in rows
    ]
