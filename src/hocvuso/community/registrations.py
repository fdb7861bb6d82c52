"""Registration for events: places, the waiting list and promotion.

Concurrency: every write locks the event's row first (``SELECT … FOR UPDATE``
on PostgreSQL; on SQLite the transaction takes the database's write lock at
``BEGIN IMMEDIATE``), then counts the places taken. Two people asking for the
last place at once are served one after the other: one gets it, the other
lands on the waiting list. A cancelled place goes, in the same transaction,
to the first person waiting.

Idempotency: one row per event and person (unique constraint). Registering
again while registered or waiting returns the row unchanged; cancelling
twice is a no-op.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.models import Role
from hocvuso.accounts.permissions import has_role, user_roles
from hocvuso.community import event_access
from hocvuso.community.event_errors import EventClosed, EventNotAllowed, EventNotFound
from hocvuso.community.models import (
    Event,
    EventRegistration,
    EventStatus,
    RegistrationStatus,
)
from hocvuso.core.services import audit_record

if TYPE_CHECKING:
    from uuid import UUID

    from hocvuso.accounts.models import User


def _lock_event(event_id: UUID | str) -> Event:
    try:
        return Event.objects.select_for_update().get(pk=event_id)
    except (Event.DoesNotExist, ValueError) as exc:
        raise EventNotFound from exc


def _may_register_for(actor: User, person: User, event: Event) -> bool:
    if actor.pk == person.pk:
        return True
    helper_here = any(
        a.role == Role.COMMUNITY_HELPER and a.commune_id == event.commune_id
        for a in user_roles(actor)
    )
    return helper_here and person.registered_by_id == actor.pk


def _check_open(event: Event, now: datetime) -> None:
    if event.status == EventStatus.CANCELLED:
        raise EventClosed(_("This event has been cancelled."))
    if event.status != EventStatus.PUBLISHED:
        raise EventClosed(_("Registration for this event is not open yet."))
    if event.ends_at <= now:
        raise EventClosed(_("This event is already over."))


def waiting_list_promote(event: Event, *, now: datetime) -> list[EventRegistration]:
    """Give free places to the waiting list, first come first served.

    The caller holds the event's row lock (or SQLite's write lock).
    """
    taken = event.registrations.filter(status=RegistrationStatus.REGISTERED).count()
    free = event.capacity - taken
    if free <= 0:
        return []
    promoted = list(
        event.registrations.filter(status=RegistrationStatus.WAITING).order_by(
            "queued_at", "id"
        )[:free]
    )
    for reg in promoted:
        reg.status = RegistrationStatus.REGISTERED
        reg.promoted_at = now
        reg.save(update_fields=["status", "promoted_at", "updated_at"])
        audit_record(
            actor=None,
            action="event_registration.promote",
            obj=reg,
            after={"event": str(event.pk), "status": reg.status},
        )
    return promoted


@transaction.atomic
def registration_create(
    *, actor: User, event_id: UUID | str, person: User | None = None
) -> EventRegistration:
    """Register ``person`` (the actor by default) for the event.

    A helper of the event's commune may register a person they registered on
    the site. Full events put the person on the waiting list.
    """
    person = person or actor
    event = _lock_event(event_id)
    if not _may_register_for(actor, person, event):
        raise EventNotAllowed(
            _("You can only register yourself or the people you help.")
        )
    now = timezone.now()
    _check_open(event, now)
    reg = EventRegistration.objects.filter(event=event, user=person).first()
    if reg is not None and reg.status != RegistrationStatus.CANCELLED:
        return reg
    taken = event.registrations.filter(status=RegistrationStatus.REGISTERED).count()
    status = (
        RegistrationStatus.REGISTERED
        if taken < event.capacity
        else RegistrationStatus.WAITING
    )
    by = actor if actor.pk != person.pk else None
    if reg is None:
        reg = EventRegistration.objects.create(
            event=event, user=person, status=status, registered_by=by, queued_at=now
        )
    else:
        reg.status = status
        reg.registered_by = by
        reg.queued_at = now
        reg.promoted_at = None
        reg.cancelled_at = None
        reg.save()
    audit_record(
        actor=actor,
        action="event_registration.create",
        obj=reg,
        after={"event": str(event.pk), "status": status},
    )
    return reg


@transaction.atomic
def registration_cancel(
    *, actor: User, event_id: UUID | str, person: User | None = None
) -> EventRegistration | None:
    """Give up the person's place; the first person waiting gets it.

    Returns the registration (``None`` if there was none).
    """
    person = person or actor
    event = _lock_event(event_id)
    if not (
        _may_register_for(actor, person, event)
        or event_access.event_can_manage(actor, event)
    ):
        raise EventNotAllowed(_("You can only cancel your own registration."))
    reg = EventRegistration.objects.filter(event=event, user=person).first()
    if reg is None or reg.status == RegistrationStatus.CANCELLED:
        return reg
    was = reg.status
    now = timezone.now()
    reg.status = RegistrationStatus.CANCELLED
    reg.cancelled_at = now
    reg.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit_record(
        actor=actor,
        action="event_registration.cancel",
        obj=reg,
        before={"status": was},
        after={"status": reg.status},
    )
    if was == RegistrationStatus.REGISTERED and event.status == EventStatus.PUBLISHED:
        waiting_list_promote(event, now=now)
    return reg


def helper_can_register_others(actor: User, event: Event) -> bool:
    """Return whether ``actor`` is a helper who may register people they assist."""
    return has_role(actor, Role.COMMUNITY_HELPER) and any(
        a.role == Role.COMMUNITY_HELPER and a.commune_id == event.commune_id
        for a in user_roles(actor)
    )
