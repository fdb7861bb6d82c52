"""Confirm results, issue, revoke and re-issue certificates (all audited).

Idempotency: one confirmation per result (``Confirmation.result`` is
one-to-one), one certificate per confirmation issued automatically (a revoked
one is never replaced behind an officer's back), and every service locks the
row it decides on, so a task delivered twice does nothing the second time.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.models import User
from hocvuso.assessment.models import Result
from hocvuso.core.indicators import indicator_data_changed_on_commit
from hocvuso.core.services import audit_record
from hocvuso.credentials.errors import (
    AlreadyRevoked,
    EvidenceMissing,
    NotAllowed,
    NotFound,
    ReasonRequired,
)
from hocvuso.credentials.export import confirmation_export
from hocvuso.credentials.models import Certificate, CertificateVersion, Confirmation
from hocvuso.credentials.portable import certificate_sign
from hocvuso.credentials.rules import result_assess
from hocvuso.credentials.selectors import (
    CODE_ALPHABET,
    CODE_LENGTH,
    officer_can_manage,
    result_for_rules,
)
from hocvuso.credentials.signals import (
    certificate_issued,
    certificate_revoked,
    result_confirmed,
)

_CODE_TRIES = 5
_INDEX_TRIES = 8


def certificate_code_new() -> str:
    """Return a fresh verification code: 20 base32 characters (100 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def _status_index_new() -> int:
    """Return a status list index: random in the list, else past the last one.

    Random positions (as the Bitstring Status List recommends) hide the order
    of issue; when the list is nearly full, the next index past the largest
    one is used and the list grows.
    """
    size = int(settings.HOCVUSO_STATUS_LIST_SIZE)
    taken = Certificate.objects.values_list("status_index", flat=True)
    for _attempt in range(_INDEX_TRIES):
        index = secrets.randbelow(size)
        if not taken.filter(status_index=index).exists():
            return index
    top = Certificate.objects.aggregate(m=Max("status_index"))["m"]
    return max(size, (top or 0) + 1)


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ReasonRequired(_("Write the reason."))
    return reason[:1000]


def _lock_result(result_id: object) -> Result:
    result = result_for_rules(result_id)
    if result is None:
        raise NotFound(_("This result does not exist."))
    Result.objects.select_for_update().filter(pk=result.pk).first()
    return result


def _confirm(
    *, result: Result, actor: User | None, method: str, now: datetime
) -> Confirmation:
    assessed = result_assess(result)
    if assessed.evidence is None:
        raise EvidenceMissing(" ".join(assessed.missing))
    try:
        with transaction.atomic():
            confirmation = Confirmation.objects.create(
                result=result,
                method=method,
                confirmed_by=actor,
                confirmed_at=now,
                evidence=assessed.evidence,
            )
    except IntegrityError:
        # Another worker confirmed it first: keep theirs.
        return Confirmation.objects.get(result=result)
    audit_record(
        actor=actor,
        action="result.confirm",
        obj=confirmation,
        after={
            "result": str(result.pk),
            "method": method,
            "identity": assessed.evidence["identity"]["kind"],
            "supervision": assessed.evidence["supervision"]["id"],
        },
    )
    cid = str(confirmation.pk)
    transaction.on_commit(
        lambda: result_confirmed.send(sender=Confirmation, confirmation_id=cid)
    )
    indicator_data_changed_on_commit("credentials")
    # Issued in the same transaction: a confirmation never waits for its
    # certificate, and a retried task finds both or neither.
    certificate_issue(confirmation_id=cid, actor=actor, now=now)
    confirmation_export(confirmation, now=now)
    return confirmation


@transaction.atomic
def result_confirm_auto(
    *, result_id: str, now: datetime | None = None
) -> Confirmation | None:
    """Confirm a result if the rules are met (the background task's service).

    Returns the confirmation (the existing one when run again), or None when
    the result does not (yet) meet the rules; a missing result is None too.
    """
    result = result_for_rules(result_id)
    if result is None:
        return None
    result = _lock_result(result.pk)
    existing = Confirmation.objects.filter(result=result).first()
    if existing is not None:
        return existing
    if not result_assess(result).met:
        return None
    return _confirm(
        result=result,
        actor=None,
        method=Confirmation.Method.AUTOMATIC,
        now=now or timezone.now(),
    )


@transaction.atomic
def result_confirm(
    *, actor: User, result_id: str, now: datetime | None = None
) -> Confirmation:
    """Confirm a result by hand (an officer of the learner's unit).

    The evidence rules still apply: raises ``EvidenceMissing`` (nothing
    written) when the sitting was not supervised, identity not verified or
    the level not reached. Idempotent: an existing live confirmation is
    returned; a revoked one stays revoked (``AlreadyRevoked``).
    """
    result = _lock_result(result_id)
    if not officer_can_manage(actor, result.user_id):
        raise NotAllowed(_("You can only confirm results of learners in your area."))
    existing = Confirmation.objects.filter(result=result).first()
    if existing is not None:
        if existing.is_revoked:
            raise AlreadyRevoked(_("This confirmation was revoked."))
        return existing
    return _confirm(
        result=result,
        actor=actor,
        method=Confirmation.Method.MANUAL,
        now=now or timezone.now(),
    )


@transaction.atomic
def certificate_issue(
    *, confirmation_id: str, actor: User | None = None, now: datetime | None = None
) -> Certificate | None:
    """Issue the certificate of a confirmation, once.

    Returns the certificate already issued when there is one (revoked or
    not: a revoked certificate is never silently replaced), None for a
    revoked or missing confirmation.
    """
    confirmation = (
        Confirmation.objects.select_for_update(of=("self",))
        .select_related("result__user")
        .filter(pk=confirmation_id)
        .first()
    )
    if confirmation is None or confirmation.is_revoked:
        return None
    existing = confirmation.certificates.order_by("-issued_at").first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    user = confirmation.result.user
    name = (user.full_name or user.username).strip()[:150]
    language = user.language if user.language in {"vi", "en"} else "vi"
    for _attempt in range(_CODE_TRIES):
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    confirmation=confirmation,
                    code=certificate_code_new(),
                    status_index=_status_index_new(),
                    version=1,
                    name_on_certificate=name,
                    language=language,
                    issued_at=now,
                )
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - 100-bit codes do not collide five times
        raise IntegrityError("no free certificate code")
    CertificateVersion.objects.create(
        certificate=certificate,
        version=1,
        name_on_certificate=name,
        language=language,
        issued_at=now,
        issued_by=actor,
    )
    certificate_sign(certificate, now=now)
    audit_record(
        actor=actor,
        action="certificate.issue",
        obj=certificate,
        after={"confirmation": str(confirmation.pk), "version": 1},
    )
    _announce_issue(certificate)
    return certificate


def _announce_issue(certificate: Certificate) -> None:
    cid, version = str(certificate.pk), certificate.version
    transaction.on_commit(
        lambda: certificate_issued.send(
            sender=Certificate, certificate_id=cid, version=version
        )
    )


def _manageable(actor: User, confirmation: Confirmation) -> None:
    if not officer_can_manage(actor, confirmation.result.user_id):
        raise NotAllowed(
            _("You can only manage certificates of learners in your area.")
        )


@transaction.atomic
def confirmation_revoke(
    *, actor: User, confirmation_id: str, reason: str, now: datetime | None = None
) -> Confirmation:
    """Revoke a confirmation and its live certificate, with a reason.

    Raises ``ReasonRequired`` for an empty reason and ``AlreadyRevoked`` when
    it was revoked before (nothing changes then).
    """
    reason = _reason(reason)
    confirmation = (
        Confirmation.objects.select_for_update(of=("self",))
        .select_related("result")
        .filter(pk=confirmation_id)
        .first()
    )
    if confirmation is None:
        raise NotFound(_("This confirmation does not exist."))
    _manageable(actor, confirmation)
    if confirmation.is_revoked:
        raise AlreadyRevoked(_("This confirmation was already revoked."))
    now = now or timezone.now()
    confirmation.revoked_at = now
    confirmation.revoked_by = actor
    confirmation.revoked_reason = reason
    confirmation.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
    indicator_data_changed_on_commit("credentials")
    confirmation_export(confirmation, now=now)
    audit_record(
        actor=actor,
        action="result.confirmation_revoke",
        obj=confirmation,
        after={"reason": reason},
    )
    for certificate in confirmation.certificates.select_for_update().filter(
        revoked_at__isnull=True
    ):
        certificate.revoked_at = now
        certificate.revoked_reason = reason
        certificate.save(update_fields=["revoked_at", "revoked_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="certificate.revoke",
            obj=certificate,
            after={"reason": reason},
        )
        cid = str(certificate.pk)
        transaction.on_commit(
            lambda cid=cid: certificate_revoked.send(  # type: ignore[misc]
                sender=Certificate, certificate_id=cid
            )
        )
    return confirmation


def certificate_revoke(
    *, actor: User, certificate_id: str, reason: str, now: datetime | None = None
) -> Certificate:
    """Revoke a certificate (and so the confirmation it stands for)."""
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None:
        raise NotFound(_("This certificate does not exist."))
    confirmation_revoke(
        actor=actor,
        confirmation_id=str(certificate.confirmation_id),
        reason=reason,
        now=now,
    )
    certificate.refresh_from_db()
    return certificate


@transaction.atomic
def certificate_reissue(
    *,
    actor: User,
    certificate_id: str,
    name: str,
    reason: str,
    language: str = "",
    now: datetime | None = None,
) -> Certificate:
    """Re-issue a live certificate with a corrected name; the code stays.

    ``version`` goes up by one and a :class:`CertificateVersion` records the
    new text and the reason; the credential is signed again with the new name
    (the old one stays verifiable: it names the same code and status bit).
    """
    reason = _reason(reason)
    name = " ".join(name.split())[:150]
    if not name:
        raise ReasonRequired(_("Write the name to print on the certificate."))
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("confirmation__result")
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None:
        raise NotFound(_("This certificate does not exist."))
    _manageable(actor, certificate.confirmation)
    if certificate.is_revoked:
        raise AlreadyRevoked(_("A revoked certificate cannot be re-issued."))
    now = now or timezone.now()
    before = {"version": certificate.version}
    certificate.version += 1
    certificate.name_on_certificate = name
    if language in {"vi", "en"}:
        certificate.language = language
    certificate.save(
        update_fields=[
            "version",
            "name_on_certificate",
            "language",
            "updated_at",
        ]
    )
    CertificateVersion.objects.create(
        certificate=certificate,
        version=certificate.version,
        name_on_certificate=name,
        language=certificate.language,
        issued_at=now,
        issued_by=actor,
        reason=reason,
    )
    certificate_sign(certificate, now=now)
    audit_record(
        actor=actor,
        action="certificate.reissue",
        obj=certificate,
        before=before,
        after={"version": certificate.version, "reason": reason},
    )
    _announce_issue(certificate)
    return certificate
