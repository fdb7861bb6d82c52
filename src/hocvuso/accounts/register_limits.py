"""Limits on self-registration per IP address: count abuse, not use.

A festival stand or a class registers dozens of people through one Wi-Fi, so
accounts created are not what the main limit counts. It counts *refused*
attempts (``HOCVUSO_REGISTER_RATE``, 20/h: forms with errors, numbers already
registered), which is what a script probing for registered numbers or
spamming the form produces. Accounts created have only a hard cap per address
(``HOCVUSO_REGISTER_IP_CAP``, 300/h), far above a busy stand. Both are sliding
windows of ``LimitEvent`` rows (``accounts/limits.py``); the address is stored
as a keyed hash. Commune searches (the form's "search" button) are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from hocvuso.accounts.limits import (
    Rate,
    event_add,
    event_count,
    event_forget,
    limit_key,
)
from hocvuso.accounts.models import LimitEvent
from hocvuso.accounts.signin_limits import client_address

Scope = LimitEvent.Scope


def _now() -> datetime:
    """Return the current time (tests travel in time with time-machine)."""
    return timezone.now()


@dataclass(frozen=True)
class RegisterAttempt:
    """Whether a registration may go ahead, and the row counting it."""

    allowed: bool
    event: int | None = None


def register_rates() -> tuple[Rate, Rate]:
    """Return (refused attempts, accounts created) allowed per address."""
    return (
        Rate.parse(str(settings.HOCVUSO_REGISTER_RATE)),
        Rate.parse(str(settings.HOCVUSO_REGISTER_IP_CAP)),
    )


def register_attempt_begin(
    request: HttpRequest, *, now: datetime | None = None
) -> RegisterAttempt:
    """Count one registration attempt as refused until it succeeds.

    Counted before the form is read, like sign-ins, so parallel attempts stay
    within the limit; :func:`register_attempt_created` moves the row to the
    accounts-created count.
    """
    now = now or _now()
    refused, cap = register_rates()
    address = limit_key("ip", client_address(request))
    event = event_add(
        scope=Scope.REGISTER_REFUSED,
        key=address,
        now=now,
        keep=max(refused.period, cap.period),
    )
    created = event_count(scope=Scope.REGISTER_CREATED, key=address, now=now, rate=cap)
    failing = event_count(
        scope=Scope.REGISTER_REFUSED, key=address, now=now, rate=refused
    )
    if failing > refused.count or created >= cap.count:
        event_forget([event])
        return RegisterAttempt(allowed=False)
    return RegisterAttempt(allowed=True, event=event)


def register_attempt_created(attempt: RegisterAttempt) -> None:
    """Count the attempt as an account created instead of a refusal."""
    if attempt.event is not None:
        LimitEvent.objects.filter(pk=attempt.event).update(scope=Scope.REGISTER_CREATED)
