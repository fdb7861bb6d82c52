"""Writes for household visits: record one (idempotent), sync a batch, follow-ups.

A visit's id is made by the volunteer's browser. Recording the same id again
returns the visit stored the first time, whatever the second copy says, so a
phone that lost its connection mid-send can simply send again. Two copies
arriving at once race on the primary key: the loser's insert fails inside a
savepoint and it reads the winner's row.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.models import User
from hocvuso.community.errors import (
    CommunityError,
    NotAllowed,
    NotFoundHere,
    TooManyVisits,
    VisitConflict,
    VisitInvalid,
)
from hocvuso.community.models import (
    MAX_PEOPLE_PER_VISIT,
    Activity,
    Team,
    TeamMember,
    Visit,
    VisitActivity,
)
from hocvuso.community.photos import photo_process
from hocvuso.community.selectors import team_access
from hocvuso.core.indicators import indicator_data_changed_on_commit
from hocvuso.core.logging import redact
from hocvuso.core.services import audit_record

# A phone's clock may run a little fast; a visit further ahead is refused.
CLOCK_SKEW = timedelta(minutes=10)
# Visits older than this are refused as typing mistakes (a year typed wrong).
MAX_AGE = timedelta(days=366)
MAX_NOTE = 1000
MAX_BATCH = 200
# New visits one volunteer may store in an hour: far above a day's real work
# (a phone back online after a week in the field sends a few hundred), low
# enough to bound a runaway script. Counted from the visits themselves, so
# the check writes nothing (a cache-based limiter costs two commits a call).
MAX_VISITS_PER_HOUR = 2000


@dataclass(frozen=True)
class VisitData:
    """One visit as the volunteer typed it (validated by ``visit_record``)."""

    id: uuid.UUID
    team_id: uuid.UUID
    visited_at: datetime
    hamlet: str
    people_helped: int
    activities: Sequence[str] = ()
    followup_what: str = ""
    followup_due: date | None = None
    note: str = ""


@dataclass(frozen=True)
class PhotoUpload:
    content: bytes
    keep_location: bool = False


@dataclass
class Recorded:
    visit: Visit
    created: bool


TeamCache = dict[uuid.UUID, tuple[Team, TeamMember]]


def _team_for(
    actor: User, team_id: uuid.UUID, cache: TeamCache | None = None
) -> tuple[Team, TeamMember]:
    if cache is not None and team_id in cache:
        return cache[team_id]
    found = _team_lookup(actor, team_id)
    if cache is not None:
        cache[team_id] = found
    return found


def _team_lookup(actor: User, team_id: uuid.UUID) -> tuple[Team, TeamMember]:
    team = Team.objects.select_related("commune").filter(pk=team_id).first()
    if team is None:
        raise NotFoundHere(_("This team is not known."))
    access = team_access(actor, team)
    if access.member is None:
        if access.view:
            raise NotAllowed(_("Only the team's members can log its visits."))
        raise NotFoundHere(_("This team is not known."))
    return team, access.member


def _validate(data: VisitData, now: datetime) -> tuple[str, list[str], str]:
    if timezone.is_naive(data.visited_at):
        raise VisitInvalid(_("The visit's time has no time zone."))
    if data.visited_at > now + CLOCK_SKEW:
        raise VisitInvalid(_("The visit's date is in the future."))
    if data.visited_at < now - MAX_AGE:
        raise VisitInvalid(_("The visit's date is more than a year ago."))
    if not 1 <= data.people_helped <= MAX_PEOPLE_PER_VISIT:
        raise VisitInvalid(
            _("The number of people helped is from 1 to %(n)d.")
            % {"n": MAX_PEOPLE_PER_VISIT}
        )
    hamlet = " ".join(data.hamlet.split())[:100]
    if not hamlet:
        raise VisitInvalid(_("Enter the hamlet or residential group."))
    unknown = set(data.activities) - set(Activity.values)
    if unknown:
        raise VisitInvalid(_("An activity is not in the list."))
    if data.followup_due is not None:
        today = timezone.localdate(now)
        if data.followup_due < today:
            raise VisitInvalid(_("The follow-up date is in the past."))
        if data.followup_due > today + timedelta(days=366):
            raise VisitInvalid(_("The follow-up date is more than a year away."))
    if data.followup_what.strip() and data.followup_due is None:
        raise VisitInvalid(_("Choose the date of the follow-up."))
    if len(data.note) > MAX_NOTE:
        raise VisitInvalid(
            _("The note is too long (at most %(n)d characters).") % {"n": MAX_NOTE}
        )
    activities = [a for a in Activity.values if a in set(data.activities)]
    return hamlet, activities, redact(data.note.strip())


def visit_record(
    *,
    actor: User,
    data: VisitData,
    photo: PhotoUpload | None = None,
    now: datetime | None = None,
) -> Recorded:
    """Store one visit once; a visit sent again returns the first record.

    Raises ``VisitInvalid`` (422) for bad data, ``NotFoundHere`` for an
    unknown team, ``NotAllowed`` when the actor is not a member, and
    ``VisitConflict`` when the id belongs to someone else's visit. The
    photo is checked before anything is written, and the photo file and
    the visit are kept or dropped together.
    """
    now = now or timezone.now()
    first = Visit.objects.filter(pk=data.id).first()
    if first is not None:
        return _again(actor, first)
    return _record(actor=actor, data=data, photo=photo, now=now, teams=None)


def _record(
    *,
    actor: User,
    data: VisitData,
    photo: PhotoUpload | None,
    now: datetime,
    teams: TeamCache | None,
) -> Recorded:
    team, _member = _team_for(actor, data.team_id, teams)
    hamlet, activities, note = _validate(data, now)
    processed = (
        photo_process(photo.content, keep_location=photo.keep_location)
        if photo is not None
        else None
    )
    saved_name = ""
    try:
        with transaction.atomic():
            visit = Visit(
                id=data.id,
                team=team,
                commune_id=team.commune_id,
                volunteer=actor,
                visited_at=data.visited_at,
                hamlet=hamlet,
                people_helped=data.people_helped,
                note=note,
                followup_what=data.followup_what.strip()[:200],
                followup_due=data.followup_due,
            )
            if processed is not None:
                stored = default_storage.save(
                    f"visits/{now:%Y/%m}/{data.id}.jpg",
                    ContentFile(processed.content),
                )
                saved_name = stored
                visit.photo.name = stored
                visit.photo_location_kept = processed.location_kept
            try:
                with transaction.atomic():
                    visit.save(force_insert=True)
            except IntegrityError:
                existing = Visit.objects.filter(pk=data.id).first()
                if existing is None:
                    raise
                if saved_name:
                    default_storage.delete(saved_name)
                    saved_name = ""
                return _again(actor, existing)
            VisitActivity.objects.bulk_create(
                [VisitActivity(visit=visit, activity=a) for a in activities]
            )
            indicator_data_changed_on_commit("community")
            audit_record(
                actor=actor,
                action="visit.record",
                obj=visit,
                after={
                    "team": str(team.pk),
                    "people_helped": visit.people_helped,
                    "activities": activities,
                },
            )
    except BaseException:
        if saved_name:
            default_storage.delete(saved_name)
        raise
    return Recorded(visit=visit, created=True)


def _again(actor: User, visit: Visit) -> Recorded:
    if visit.volunteer_id != actor.pk:
        raise VisitConflict(_("This visit number is already used."))
    return Recorded(visit=visit, created=False)


@dataclass
class SyncResult:
    id: str
    status: str  # "created", "duplicate" or "error"
    http_status: int
    detail: str = ""


@dataclass
class SyncReport:
    results: list[SyncResult] = field(default_factory=list)


def visits_sync(
    *, actor: User, batch: Sequence[VisitData], now: datetime | None = None
) -> SyncReport:
    """Record each visit of a batch on its own; report one status per visit.

    One bad visit does not stop the others (each has its own savepoint), so
    the phone can drop the ones stored and show the refused ones. A visit
    already stored, or twice in the batch, is reported ``duplicate``.
    """
    if len(batch) > MAX_BATCH:
        raise VisitInvalid(_("Send at most %(n)d visits at a time.") % {"n": MAX_BATCH})
    now = now or timezone.now()
    recent = Visit.objects.filter(
        volunteer=actor, created_at__gte=now - timedelta(hours=1)
    ).count()
    if recent + len(batch) > MAX_VISITS_PER_HOUR:
        raise TooManyVisits(
            _("Too many visits sent in one hour. Please try again later.")
        )
    report = SyncReport()
    stored = {v.pk: v for v in Visit.objects.filter(pk__in=[d.id for d in batch])}
    teams: TeamCache = {}
    # One transaction for the batch (one commit, not one per visit); each visit
    # in its own savepoint, so a refused visit leaves the others stored.
    with transaction.atomic():
        for data in batch:
            try:
                first = stored.get(data.id)
                if first is not None:
                    done = _again(actor, first)
                else:
                    done = _record(
                        actor=actor, data=data, photo=None, now=now, teams=teams
                    )
            except CommunityError as exc:
                report.results.append(
                    SyncResult(str(data.id), "error", exc.status, exc.message)
                )
            else:
                status = "created" if done.created else "duplicate"
                report.results.append(SyncResult(str(data.id), status, 200))
    return report


@transaction.atomic
def followup_done(*, actor: User, visit: Visit, now: datetime | None = None) -> Visit:
    """Mark a visit's follow-up done (the volunteer, a team leader, an officer)."""
    access = team_access(actor, visit.team)
    allowed = (
        visit.volunteer_id == actor.pk
        or access.manage
        or (access.member is not None and access.invite)
    )
    if not allowed:
        raise NotAllowed()
    if visit.followup_done_at is None:
        visit.followup_done_at = now or timezone.now()
        visit.followup_done_by = actor
        visit.save(update_fields=["followup_done_at", "followup_done_by", "updated_at"])
        audit_record(actor=actor, action="visit.followup.done", obj=visit)
    return visit
