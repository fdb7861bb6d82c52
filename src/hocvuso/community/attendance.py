"""Attendance at events: the rotating check-in token, codes and recording.

The check-in screen shows a QR code of a URL with a token that changes every
``STEP_SECONDS``: an HMAC (keyed by SECRET_KEY) of the event id and the time
step. A token is accepted during its own step and the next one, so a photo of
the screen sent to a friend stops working within a minute. A person is
recorded once per event (unique constraint); scanning again says so.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from hocvuso.community import event_access
from hocvuso.community.event_errors import (
    AttendanceCodeUnknown,
    CheckinTokenInvalid,
    EventClosed,
    EventNotAllowed,
    EventNotFound,
)
from hocvuso.community.models import (
    Attendance,
    AttendanceCode,
    AttendanceMethod,
    Event,
    EventRegistration,
    EventStatus,
    RegistrationStatus,
)
from hocvuso.core.indicators import indicator_data_changed_on_commit

if TYPE_CHECKING:
    from uuid import UUID

    from hocvuso.accounts.models import User

STEP_SECONDS = 30
# Accepted steps: the current one and the one before.
WINDOW_STEPS = 2
# Check-in opens this long before the start and closes this long after the end.
CHECKIN_MARGIN = timedelta(hours=2)
_SALT = "hocvuso.community.checkin"

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
CODE_LENGTH = 8
_CODE_JUNK = re.compile(r"[\s\-.]")


def checkin_step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def _mac(event_id: UUID | str, step: int) -> str:
    return salted_hmac(_SALT, f"{event_id}:{step}", algorithm="sha256").hexdigest()[:20]


def checkin_token(event_id: UUID | str, *, now: datetime | None = None) -> str:
    """Return the token the check-in screen shows at ``now``."""
    step = checkin_step(now or timezone.now())
    return f"{step:x}.{_mac(event_id, step)}"


def checkin_token_check(
    event_id: UUID | str, token: str, *, now: datetime | None = None
) -> None:
    """Raise ``CheckinTokenInvalid`` unless ``token`` is fresh and this event's."""
    step_text, _sep, mac = token.strip().partition(".")
    try:
        step = int(step_text, 16)
    except ValueError:
        step = -1
    if step < 0 or not constant_time_compare(mac, _mac(event_id, step)):
        raise CheckinTokenInvalid(
            _(
                "This QR code is not this event's check-in code. Scan the code "
                "shown on the event's screen."
            )
        )
    current = checkin_step(now or timezone.now())
    if not current - WINDOW_STEPS < step <= current:
        raise CheckinTokenInvalid(
            _(
                "This QR code has expired: it changes every 30 seconds. Scan the "
                "code on the screen again, at the event."
            )
        )


def normalise_code(text: str) -> str:
    return _CODE_JUNK.sub("", text).upper()


def format_code(code: str) -> str:
    """Return the code as shown on cards: ``ABCD-EFGH``."""
    return f"{code[:4]}-{code[4:]}"


@transaction.atomic
def attendance_code_get_or_create(
    *, user: User, rng: random.Random | None = None
) -> AttendanceCode:
    """Return the person's attendance code, making one the first time."""
    existing = AttendanceCode.objects.filter(user=user).first()
    if existing is not None:
        return existing
    rng = rng or random.SystemRandom()
    for _attempt in range(10):
        code = "".join(rng.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                return AttendanceCode.objects.create(user=user, code=code)
        except IntegrityError:
            existing = AttendanceCode.objects.filter(user=user).first()
            if existing is not None:  # made by a parallel request
                return existing
    raise RuntimeError("could not draw a free attendance code")


@dataclass(frozen=True)
class CheckinOutcome:
    attendance: Attendance
    created: bool


def _event(event_id: UUID | str) -> Event:
    try:
        return Event.objects.select_related("commune").get(pk=event_id)
    except (Event.DoesNotExist, ValueError) as exc:
        raise EventNotFound from exc


def _check_open(event: Event, now: datetime) -> None:
    if event.status == EventStatus.CANCELLED:
        raise EventClosed(_("This event has been cancelled."))
    if event.status != EventStatus.PUBLISHED:
        raise EventClosed(_("This event is not open yet."))
    if now < event.starts_at - CHECKIN_MARGIN:
        raise EventClosed(_("Check-in opens two hours before the event starts."))
    if now > event.ends_at + CHECKIN_MARGIN:
        raise EventClosed(_("This event is over: check-in is closed."))


def _record(
    *, event: Event, person: User, method: str, by: User | None, now: datetime
) -> CheckinOutcome:
    was_registered = EventRegistration.objects.filter(
        event=event,
        user=person,
        status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITING],
    ).exists()
    try:
        with transaction.atomic():
            attendance, created = Attendance.objects.get_or_create(
                event=event,
                user=person,
                defaults={
                    "checked_in_at": now,
                    "was_registered": was_registered,
                    "method": method,
                    "recorded_by": by,
                },
            )
    except IntegrityError:  # a parallel scan of the same person won
        attendance, created = Attendance.objects.get(event=event, user=person), False
    if created:
        indicator_data_changed_on_commit("community")
    return CheckinOutcome(attendance, created)


def attendance_checkin(
    *, actor: User, event_id: UUID | str, token: str, now: datetime | None = None
) -> CheckinOutcome:
    """Record the actor at the event from the token of the screen's QR code."""
    now = now or timezone.now()
    event = _event(event_id)
    checkin_token_check(event.pk, token, now=now)
    _check_open(event, now)
    return _record(
        event=event, person=actor, method=AttendanceMethod.SCREEN_QR, by=None, now=now
    )


@dataclass(frozen=True)
class ScanOutcome(CheckinOutcome):
    person: User


def attendance_record_by_code(
    *,
    actor: User,
    event_id: UUID | str,
    code: str,
    typed: bool,
    now: datetime | None = None,
) -> ScanOutcome:
    """Record the person whose attendance code a helper scanned or typed."""
    now = now or timezone.now()
    event = _event(event_id)
    if not event_access.event_can_scan(actor, event):
        raise EventNotAllowed(_("You may not record attendance at this event."))
    _check_open(event, now)
    card = (
        AttendanceCode.objects.select_related("user")
        .filter(code=normalise_code(code)[:CODE_LENGTH])
        .first()
    )
    if card is None or len(normalise_code(code)) != CODE_LENGTH:
        raise AttendanceCodeUnknown
    method = AttendanceMethod.HELPER_TYPED if typed else AttendanceMethod.HELPER_SCAN
    outcome = _record(event=event, person=card.user, method=method, by=actor, now=now)
    return ScanOutcome(outcome.attendance, outcome.created, card.user)
