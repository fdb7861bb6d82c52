"""Claim codes: a person registered by a helper takes over their own account.

A helper (with a guidance grant) or a commune officer prints a card with a
claim code: 10 characters from an alphabet without look-alikes (no I, L, O,
0, 1), shown as ``ABCD-EFGH-JK``, about 49 bits. Only a keyed hash
(HMAC-SHA256 with ``SECRET_KEY``) is stored, so a database copy gives no
usable codes. A code expires after ``HOCVUSO_CLAIM_CODE_DAYS`` (90) days, is
used once, and issuing a new card voids the previous code.

Claiming asks, besides the code, one detail only the person should know when
the account holds one: the last 4 digits of the citizen ID number if it was
given, else the birth year. Five wrong details void the code (a new card is
needed). Wrong codes are counted per IP address (``HOCVUSO_CLAIM_RATE``,
sliding window of ``LimitEvent`` rows); unknown, used, voided and expired
codes get the same answer, so nothing tells whether an account exists.

A successful claim sets the person's own password (and phone number), ends
every guidance grant (reason "claimed"), so a helper's guided session stops
at its next request, and is audited.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from hocvuso.accounts.errors import ClaimRefused, PermissionDeniedError
from hocvuso.accounts.guidance import (
    grant_active,
    guidance_end_all,
    helps_in,
    learner_commune,
    officer_of,
)
from hocvuso.accounts.identifiers import Kind, parse_identifier
from hocvuso.accounts.limits import Rate, event_add, event_count, event_forget
from hocvuso.accounts.limits import limit_key as _limit_key
from hocvuso.accounts.models import ClaimCode, GuidanceGrant, LimitEvent, User
from hocvuso.accounts.signin_limits import client_address
from hocvuso.core.services import audit_record

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
MAX_FAILED_CHECKS = 5
_SALT = "hocvuso.accounts.claim"
_SYSTEM_RANDOM = random.SystemRandom()


def _now() -> datetime:
    """Return the current time (tests travel in time with time-machine)."""
    return timezone.now()


def code_normalise(text: str) -> str:
    """Return the code as typed without spaces and dashes, in capitals."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def code_format(code: str) -> str:
    """Return ``ABCDEFGHJK`` grouped for reading: ``ABCD-EFGH-JK``."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_hash(code: str) -> str:
    return salted_hmac(_SALT, code_normalise(code), algorithm="sha256").hexdigest()


def _code_new(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(CODE_LENGTH))


def may_issue_card(actor: User, learner: User) -> bool:
    """Return whether ``actor`` may print a card for ``learner``."""
    commune = learner_commune(learner)
    commune_id = commune.pk if commune else None
    if officer_of(actor, commune_id):
        return True
    return helps_in(actor, commune_id) and (
        grant_active(helper=actor, learner=learner) is not None
    )


@transaction.atomic
def claim_code_issue(
    *,
    actor: User,
    learner: User,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> tuple[ClaimCode, str]:
    """Issue a new claim code for ``learner``; return it with the code in clear.

    The code in clear exists only in the return value (to print); the
    previous live code of the learner is voided. Audited.
    """
    if learner.anonymised_at is not None or not learner.is_active:
        raise PermissionDeniedError(_("This account is closed."))
    if not may_issue_card(actor, learner):
        raise PermissionDeniedError(
            _("Only the person's helper or a commune officer can print their card.")
        )
    now = now or _now()
    rng = rng or _SYSTEM_RANDOM
    voided = ClaimCode.objects.filter(
        learner=learner, used_at__isnull=True, voided_at__isnull=True
    ).update(voided_at=now, updated_at=now)
    code = _code_new(rng)
    claim = ClaimCode.objects.create(
        learner=learner,
        code_hash=code_hash(code),
        issued_by=actor,
        expires_at=now + timedelta(days=int(settings.HOCVUSO_CLAIM_CODE_DAYS)),
    )
    audit_record(
        actor=actor,
        action="claim.issue",
        obj=learner,
        after={
            "claim": str(claim.pk),
            "expires_at": claim.expires_at.isoformat(),
            "voided": voided,
        },
    )
    return claim, code


def claim_find(code: str, *, now: datetime | None = None) -> ClaimCode | None:
    """Return the live claim a code names, or None (whatever the reason)."""
    normal = code_normalise(code)
    if len(normal) != CODE_LENGTH or any(ch not in ALPHABET for ch in normal):
        return None
    claim = (
        ClaimCode.objects.filter(code_hash=code_hash(normal))
        .select_related("learner__profile")
        .first()
    )
    if claim is None:
        return None
    return claim_find_live(claim, now or _now())


class CheckKind:
    NATIONAL_ID = "national_id_last4"
    BIRTH_YEAR = "birth_year"


def claim_check_kind(learner: User) -> str | None:
    """Return which detail the person confirms when claiming (None: none held)."""
    if learner.national_id_last4:
        return CheckKind.NATIONAL_ID
    profile = getattr(learner, "profile", None)
    if profile is not None and profile.birth_year:
        return CheckKind.BIRTH_YEAR
    return None


def _check_matches(learner: User, kind: str | None, answer: str) -> bool:
    answer = answer.strip()
    if kind == CheckKind.NATIONAL_ID:
        return constant_time_compare(answer, learner.national_id_last4)
    if kind == CheckKind.BIRTH_YEAR:
        return constant_time_compare(answer, str(learner.profile.birth_year))
    return True


@dataclass(frozen=True)
class ClaimAttempt:
    allowed: bool
    event: int | None = None


def claim_rate() -> Rate:
    return Rate.parse(str(settings.HOCVUSO_CLAIM_RATE))


def claim_attempt_begin(
    request: HttpRequest, *, now: datetime | None = None
) -> ClaimAttempt:
    """Count one claim attempt as failed until it turns out right.

    Counted before the code is looked up (see ``accounts/limits.py``), so
    parallel guesses stay within the limit.
    """
    now = now or _now()
    rate = claim_rate()
    key = _limit_key("claim-ip", client_address(request))
    event = event_add(
        scope=LimitEvent.Scope.CLAIM_FAILED, key=key, now=now, keep=rate.period
    )
    if (
        event_count(scope=LimitEvent.Scope.CLAIM_FAILED, key=key, now=now, rate=rate)
        > rate.count
    ):
        event_forget([event])
        return ClaimAttempt(allowed=False)
    return ClaimAttempt(allowed=True, event=event)


def claim_attempt_right(attempt: ClaimAttempt) -> None:
    """Stop counting an attempt whose code (and detail) were right."""
    if attempt.event is not None:
        event_forget([attempt.event])


def _refused() -> ClaimRefused:
    return ClaimRefused(
        _(
            "This code is not right or can no longer be used. Check it, or ask "
            "your helper or the commune office for a new card."
        )
    )


def account_claim(
    *,
    claim_id: uuid.UUID,
    check: str,
    phone: str,
    password: str,
    now: datetime | None = None,
) -> User:
    """Let the person take over the account of a live claim code.

    Raises ``ClaimRefused`` for a code no longer live or a wrong detail (a
    wrong detail is counted on the code; the fifth voids it), and
    ``ValidationError`` (keys ``phone``, ``password``) for bad input, with
    nothing changed. On success the code is used, every guidance grant ends
    and the account has the new password and phone number.
    """
    now = now or _now()
    wrong = False
    with transaction.atomic():
        claim = (
            ClaimCode.objects.select_for_update(of=("self",))
            .select_related("learner__profile")
            .filter(pk=claim_id)
            .first()
        )
        if claim is None or claim_find_live(claim, now) is None:
            raise _refused()
        learner = claim.learner
        if not _check_matches(learner, claim_check_kind(learner), check):
            claim.failed_checks += 1
            if claim.failed_checks >= MAX_FAILED_CHECKS:
                claim.voided_at = now
            claim.save(update_fields=["failed_checks", "voided_at", "updated_at"])
            audit_record(
                actor=None,
                action="claim.check_failed",
                obj=learner,
                after={"claim": str(claim.pk), "failed": claim.failed_checks},
            )
            wrong = True
    if wrong:
        raise _refused()
    return _claim_complete(claim_id=claim.pk, phone=phone, password=password, now=now)


def claim_find_live(claim: ClaimCode, now: datetime) -> ClaimCode | None:
    """Return ``claim`` if it can still be used, else None."""
    if (
        claim.used_at is not None
        or claim.voided_at is not None
        or claim.expires_at <= now
        or claim.failed_checks >= MAX_FAILED_CHECKS
        or not claim.learner.is_active
    ):
        return None
    return claim


@transaction.atomic
def _claim_complete(
    *, claim_id: uuid.UUID, phone: str, password: str, now: datetime
) -> User:
    claim = (
        ClaimCode.objects.select_for_update(of=("self",))
        .select_related("learner")
        .get(pk=claim_id)
    )
    if claim_find_live(claim, now) is None:
        raise _refused()
    learner = User.objects.select_for_update().get(pk=claim.learner_id)
    before = {"phone_set": bool(learner.phone)}
    phone = phone.strip()
    if phone:
        ident = parse_identifier(phone)
        if ident.kind is not Kind.PHONE:
            raise ValidationError(
                {"phone": _("Enter a mobile phone number (10 digits).")}
            )
        if User.objects.filter(phone=ident.value).exclude(pk=learner.pk).exists():
            raise ValidationError(
                {"phone": _("This phone number is already registered.")}
            )
        if ident.value != learner.phone:
            learner.phone = ident.value
            if not User.objects.filter(username=ident.value).exists():
                learner.username = ident.value
    try:
        validate_password(password, learner)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    learner.set_password(password)
    learner.save()
    claim.used_at = now
    claim.save(update_fields=["used_at", "updated_at"])
    ended = guidance_end_all(
        learner=learner, reason=GuidanceGrant.EndReason.CLAIMED, now=now
    )
    audit_record(
        actor=learner,
        action="account.claim",
        obj=learner,
        before=before,
        after={
            "claim": str(claim.pk),
            "phone_set": bool(learner.phone),
            "grants_ended": ended,
        },
    )
    return learner
