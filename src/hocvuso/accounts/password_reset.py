"""Password reset for people without e-mail: a code by SMS, or in person.

Two ways to get a one-time code, one way to use it:

- **By SMS**: the person types their phone number; when an active account
  has that number, a 6-digit code goes to it through the configured sender
  (``accounts/sms.py``). The answer on the page is the same whether or not an
  account exists, and whether or not a message was sent (limits included),
  so nothing tells which numbers have accounts. A code lives
  ``HOCVUSO_RESET_SMS_MINUTES`` (15).
- **In person**: a community helper of the person (who registered them or
  holds a guidance grant, and helps in their commune) or an officer of their
  commune checks who they are and issues a 10-character code on screen
  (alphabet without look-alikes, as claim codes). It lives
  ``HOCVUSO_RESET_IN_PERSON_HOURS`` (24). Issuing is audited with the actor.

Using a code (with the phone number or user name, and a new password) sets
the password once: the code is used, any other live code is voided, other
sessions end (Django's session hash changes with the password), and the
change is audited. Only keyed hashes of codes are stored (the user id is
part of the key). A code is voided after ``MAX_FAILED_CHECKS`` wrong tries;
requests are limited per phone number and per address
(``HOCVUSO_RESET_PHONE_RATE``, ``HOCVUSO_RESET_IP_RATE``) and checks per
address (``HOCVUSO_RESET_CHECK_RATE``), with the sliding windows of
``accounts/limits.py``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from hocvuso.accounts.backends import user_find_by_identifier
from hocvuso.accounts.claims import ALPHABET, code_format, code_normalise
from hocvuso.accounts.errors import PermissionDeniedError
from hocvuso.accounts.guidance import (
    grant_active,
    helps_in,
    learner_commune,
    officer_of,
)
from hocvuso.accounts.identifiers import normalise_phone
from hocvuso.accounts.limits import Rate, event_add, event_count, event_forget
from hocvuso.accounts.limits import limit_key as _limit_key
from hocvuso.accounts.models import LimitEvent, User
from hocvuso.accounts.reset_models import PasswordResetCode
from hocvuso.accounts.signin_limits import client_address
from hocvuso.accounts.sms import SmsError, sms_sender
from hocvuso.core.services import audit_record

SMS_CODE_LENGTH = 6
IN_PERSON_CODE_LENGTH = 10
MAX_FAILED_CHECKS = 5
_SALT = "hocvuso.accounts.password_reset"
_SYSTEM_RANDOM = random.SystemRandom()


class ResetRefused(Exception):
    """The code is wrong, used, voided or expired (one answer for all)."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "This code is not right or can no longer be used. Check it, ask "
                "for a new code, or see your helper or the commune office."
            )
        )


def _now() -> datetime:
    """Return the current time (tests travel in time with time-machine)."""
    return timezone.now()


def _hash(user: User, code: str) -> str:
    normal = code_normalise(code)
    return salted_hmac(_SALT, f"{user.pk}:{normal}", algorithm="sha256").hexdigest()


def _usable(user: User | None) -> bool:
    return (
        user is not None
        and user.is_active
        and user.anonymised_at is None
        and not user.is_superuser  # administrators reset on the command line
    )


def _issue(
    *,
    user: User,
    channel: str,
    code: str,
    lifetime: timedelta,
    actor: User | None,
    now: datetime,
) -> PasswordResetCode:
    voided = PasswordResetCode.objects.filter(
        user=user, used_at__isnull=True, voided_at__isnull=True
    ).update(voided_at=now, updated_at=now)
    row = PasswordResetCode.objects.create(
        user=user,
        channel=channel,
        code_hash=_hash(user, code),
        issued_by=actor,
        expires_at=now + lifetime,
    )
    audit_record(
        actor=actor,
        action="password.reset_issue",
        obj=user,
        after={
            "channel": channel,
            "code": str(row.pk),
            "expires_at": row.expires_at.isoformat(),
            "voided": voided,
        },
    )
    return row


# --- limits -----------------------------------------------------------------


def _rate(name: str) -> Rate:
    return Rate.parse(str(getattr(settings, name)))


def _over(scope: LimitEvent.Scope, key: str, rate: Rate, now: datetime) -> bool:
    """Count one attempt of ``key``; return whether it goes over ``rate``."""
    event = event_add(scope=scope, key=key, now=now, keep=rate.period)
    if event_count(scope=scope, key=key, now=now, rate=rate) > rate.count:
        event_forget([event])
        return True
    return False


def request_address_over_limit(
    request: HttpRequest, *, now: datetime | None = None
) -> bool:
    """Count one code request from this address; True when over the limit."""
    return _over(
        LimitEvent.Scope.RESET_REQUESTED,
        _limit_key("reset-ip", client_address(request)),
        _rate("HOCVUSO_RESET_IP_RATE"),
        now or _now(),
    )


def check_address_over_limit(
    request: HttpRequest, *, now: datetime | None = None
) -> bool:
    """Count one code check from this address; True when over the limit."""
    return _over(
        LimitEvent.Scope.RESET_FAILED,
        _limit_key("reset-check-ip", client_address(request)),
        _rate("HOCVUSO_RESET_CHECK_RATE"),
        now or _now(),
    )


# --- by SMS -----------------------------------------------------------------


def sms_text(code: str) -> str:
    minutes = int(settings.HOCVUSO_RESET_SMS_MINUTES)
    return _(
        "Binh dan hoc vu so: your code to set a new password is %(code)s. "
        "It works for %(minutes)s minutes. Never give it to anyone."
    ) % {"code": code, "minutes": minutes}


@transaction.atomic
def reset_code_send_sms(
    *,
    phone: str,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> bool:
    """Send a code to ``phone`` when an account has it; return whether one went.

    The caller shows the same answer either way. At most
    ``HOCVUSO_RESET_PHONE_RATE`` codes per number; the message leaves after
    the transaction commits.
    """
    now = now or _now()
    normal = normalise_phone(phone)
    if normal is None:
        return False
    if _over(
        LimitEvent.Scope.RESET_REQUESTED,
        _limit_key("reset-phone", normal),
        _rate("HOCVUSO_RESET_PHONE_RATE"),
        now,
    ):
        return False
    user = User.objects.filter(phone=normal).first()
    if not _usable(user):
        return False
    assert user is not None
    rng = rng or _SYSTEM_RANDOM
    code = "".join(rng.choice("0123456789") for _ in range(SMS_CODE_LENGTH))
    _issue(
        user=user,
        channel=PasswordResetCode.Channel.SMS,
        code=code,
        lifetime=timedelta(minutes=int(settings.HOCVUSO_RESET_SMS_MINUTES)),
        actor=None,
        now=now,
    )
    text = sms_text(code)

    def deliver() -> None:
        try:
            sms_sender().send(phone=normal, text=text)
        except SmsError:
            # The person sees the same page; they can ask again or go in person.
            return

    transaction.on_commit(deliver)
    return True


# --- in person --------------------------------------------------------------


def may_reset_in_person(actor: User, learner: User) -> bool:
    """Return whether ``actor`` may give ``learner`` a reset code in person."""
    if actor.pk == learner.pk:
        return False
    commune = learner_commune(learner)
    commune_id = commune.pk if commune else None
    if officer_of(actor, commune_id):
        return True
    return helps_in(actor, commune_id) and (
        learner.registered_by_id == actor.pk
        or grant_active(helper=actor, learner=learner) is not None
    )


def learner_for_reset(*, actor: User, identifier: str) -> User | None:
    """Return the person ``actor`` may help whom ``identifier`` names, or None."""
    user = user_find_by_identifier(identifier)
    if not _usable(user):
        return None
    assert user is not None
    return user if may_reset_in_person(actor, user) else None


@dataclass(frozen=True)
class IssuedCode:
    row: PasswordResetCode
    code: str

    @property
    def display(self) -> str:
        return code_format(self.code)


@transaction.atomic
def reset_code_issue_in_person(
    *,
    actor: User,
    learner: User,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> IssuedCode:
    """Issue a code for ``learner``, to give them in person; audited."""
    if not _usable(learner):
        raise PermissionDeniedError(_("This account is closed."))
    if not may_reset_in_person(actor, learner):
        raise PermissionDeniedError(
            _("Only the person's helper or a commune officer can give this code.")
        )
    now = now or _now()
    rng = rng or _SYSTEM_RANDOM
    code = "".join(rng.choice(ALPHABET) for _ in range(IN_PERSON_CODE_LENGTH))
    row = _issue(
        user=learner,
        channel=PasswordResetCode.Channel.IN_PERSON,
        code=code,
        lifetime=timedelta(hours=int(settings.HOCVUSO_RESET_IN_PERSON_HOURS)),
        actor=actor,
        now=now,
    )
    return IssuedCode(row=row, code=code)


# --- using a code -----------------------------------------------------------


def password_reset_confirm(
    *,
    identifier: str,
    code: str,
    password: str,
    now: datetime | None = None,
) -> User:
    """Set a new password with a live code; return the user.

    Raises ``ResetRefused`` (same message whatever the reason; a wrong code
    counts against the live code, the fifth voids it) and ``ValidationError``
    for a password the validators refuse, with nothing changed.
    """
    now = now or _now()
    user = user_find_by_identifier(identifier)
    if not _usable(user):
        raise ResetRefused
    assert user is not None
    wrong = False
    with transaction.atomic():
        row = (
            PasswordResetCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True, voided_at__isnull=True)
            .first()
        )
        if row is None or row.expires_at <= now:
            raise ResetRefused
        if not constant_time_compare(row.code_hash, _hash(user, code)):
            wrong = True
            PasswordResetCode.objects.filter(pk=row.pk).update(
                failed_checks=F("failed_checks") + 1, updated_at=now
            )
            if row.failed_checks + 1 >= MAX_FAILED_CHECKS:
                PasswordResetCode.objects.filter(pk=row.pk).update(voided_at=now)
        else:
            validate_password(password, user)
            user.set_password(password)
            user.save(update_fields=["password"])
            row.used_at = now
            row.save(update_fields=["used_at", "updated_at"])
            audit_record(
                actor=user,
                action="password.reset",
                obj=user,
                after={"channel": row.channel, "code": str(row.pk)},
            )
    if wrong:  # raised after the commit, so the count of wrong tries stays
        raise ResetRefused
    return user
