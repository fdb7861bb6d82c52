"""Writes for events: create, edit, publish, cancel, and the festival preset.

Every service checks the actor's right first (``event_access``), validates,
writes in one transaction with its audit row, and raises an ``EventError``
with a message for the person when something is wrong, having written
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.community import event_access
from hocvuso.community.event_errors import EventClosed, EventInvalid, EventNotAllowed
from hocvuso.community.festival import FESTIVAL_SLOTS, festival_times
from hocvuso.community.models import (
    Event,
    EventKind,
    EventStatus,
    RegistrationStatus,
    Team,
)
from hocvuso.community.registrations import waiting_list_promote
from hocvuso.core.services import audit_record, model_snapshot
from hocvuso.framework.models import TargetGroup
from hocvuso.geo.models import Commune

if TYPE_CHECKING:
    from hocvuso.accounts.models import User

EDITABLE_FIELDS = [
    "kind",
    "title",
    "description",
    "venue",
    "starts_at",
    "ends_at",
    "target_group",
    "capacity",
    "organiser_team",
]


@dataclass(frozen=True)
class EventData:
    """What an organiser fills in for an event."""

    kind: str
    title: str
    venue: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    description: str = ""
    target_group: TargetGroup | None = None
    organiser_team: Team | None = None


def _check(data: EventData, *, commune_id: int) -> None:
    if data.kind not in EventKind.values:
        raise EventInvalid(_("Choose what kind of event this is."))
    if not data.title.strip():
        raise EventInvalid(_("Give the event a name."))
    if not data.venue.strip():
        raise EventInvalid(_("Say where the event takes place."))
    if data.capacity is None or data.capacity <= 0:
        raise EventInvalid(_("The number of places must be at least 1."))
    if data.ends_at <= data.starts_at:
        raise EventInvalid(_("The event must end after it starts."))
    team = data.organiser_team
    if team is not None and (team.commune_id != commune_id or team.archived_at):
        raise EventInvalid(_("The organising team must be a team of this commune."))


@transaction.atomic
def event_create(*, actor: User, commune: Commune, data: EventData) -> Event:
    """Create a draft event in ``commune``."""
    if not event_access.event_can_create(
        actor, commune_id=commune.pk, team=data.organiser_team
    ):
        raise EventNotAllowed(_("You may not create events in this commune."))
    _check(data, commune_id=commune.pk)
    event = Event.objects.create(
        commune=commune,
        kind=data.kind,
        title=data.title.strip(),
        description=data.description.strip(),
        venue=data.venue.strip(),
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        capacity=data.capacity,
        target_group=data.target_group,
        organiser_team=data.organiser_team,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="event.create",
        obj=event,
        after=model_snapshot(event, [*EDITABLE_FIELDS, "commune", "status"]),
    )
    return event


def _locked(event: Event) -> Event:
    return Event.objects.select_for_update().select_related("commune").get(pk=event.pk)


@transaction.atomic
def event_update(*, actor: User, event: Event, data: EventData) -> Event:
    """Change an event; more places move people off the waiting list."""
    event = _locked(event)
    if not event_access.event_can_manage(actor, event):
        raise EventNotAllowed
    if event.status == EventStatus.CANCELLED:
        raise EventClosed(_("This event is cancelled and can no longer be changed."))
    _check(data, commune_id=event.commune_id)
    if (
        data.organiser_team is not None
        and data.organiser_team.pk != event.organiser_team_id
        and not event_access.event_can_create(
            actor, commune_id=event.commune_id, team=data.organiser_team
        )
    ):
        raise EventNotAllowed(_("You may not give this event to that team."))
    taken = event.registrations.filter(status=RegistrationStatus.REGISTERED).count()
    if data.capacity < taken:
        raise EventInvalid(
            _(
                "%(count)d people already have a place: the event needs at least "
                "that many places."
            )
            % {"count": taken}
        )
    before = model_snapshot(event, EDITABLE_FIELDS)
    event.kind = data.kind
    event.title = data.title.strip()
    event.description = data.description.strip()
    event.venue = data.venue.strip()
    event.starts_at = data.starts_at
    event.ends_at = data.ends_at
    event.capacity = data.capacity
    event.target_group = data.target_group
    event.organiser_team = data.organiser_team
    event.save()
    waiting_list_promote(event, now=timezone.now())
    audit_record(
        actor=actor,
        action="event.update",
        obj=event,
        before=before,
        after=model_snapshot(event, EDITABLE_FIELDS),
    )
    return event


@transaction.atomic
def event_publish(*, actor: User, event: Event) -> Event:
    """Show a draft event in the public list; publishing twice changes nothing."""
    event = _locked(event)
    if not event_access.event_can_manage(actor, event):
        raise EventNotAllowed
    if event.status == EventStatus.PUBLISHED:
        return event
    if event.status == EventStatus.CANCELLED:
        raise EventClosed(_("This event is cancelled and can no longer be published."))
    if event.ends_at <= timezone.now():
        raise EventClosed(_("This event is already over."))
    event.status = EventStatus.PUBLISHED
    event.published_at = timezone.now()
    event.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=actor, action="event.publish", obj=event, after={"status": event.status}
    )
    return event


@transaction.atomic
def event_cancel(*, actor: User, event: Event, notice: str) -> Event:
    """Cancel an event; the people registered see ``notice`` on their page."""
    event = _locked(event)
    if not event_access.event_can_manage(actor, event):
        raise EventNotAllowed
    if event.status == EventStatus.CANCELLED:
        return event
    notice = notice.strip()
    if not notice:
        raise EventInvalid(
            _("Write a short notice for the people registered: why, and what next.")
        )
    before = {"status": event.status}
    event.status = EventStatus.CANCELLED
    event.cancel_notice = notice[:2000]
    event.cancelled_at = timezone.now()
    event.save(update_fields=["status", "cancel_notice", "cancelled_at", "updated_at"])
    audit_record(
        actor=actor,
        action="event.cancel",
        obj=event,
        before=before,
        after={"status": event.status, "notice": event.cancel_notice},
    )
    return event


@transaction.atomic
def festival_programme_create(
    *, actor: User, commune: Commune, year: int
) -> list[Event]:
    """Create the commune's draft programme for the festival of 10 October ``year``.

    Idempotent per commune and year: slots created before (even edited or
    cancelled since) are returned as they are, missing ones are added.
    """
    if not event_access.event_can_create(actor, commune_id=commune.pk, team=None):
        raise EventNotAllowed(_("You may not create events in this commune."))
    if not 2025 <= year <= 2100:
        raise EventInvalid(_("Choose a year from 2025 on."))
    venue = f"Hội trường Ủy ban nhân dân {commune.name[:1].lower()}{commune.name[1:]}"
    events: list[Event] = []
    created: list[str] = []
    for slot in FESTIVAL_SLOTS:
        key = f"festival-{year}-{slot.key}"
        starts_at, ends_at = festival_times(year, slot)
        event, was_created = Event.objects.get_or_create(
            commune=commune,
            preset_key=key,
            defaults={
                "kind": slot.kind,
                "title": slot.title,
                "description": slot.description,
                "venue": venue,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "capacity": slot.capacity,
                "created_by": actor,
            },
        )
        events.append(event)
        if was_created:
            created.append(key)
    if created:
        audit_record(
            actor=actor,
            action="event.festival_create",
            obj=commune,
            after={"year": year, "created": created},
        )
    return events
