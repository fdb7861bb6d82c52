"""Confirmed results and the certificates issued for them.

A :class:`Confirmation` records that a result counts: the sitting was
supervised, the learner's identity was verified and the result meets the
group's level. ``evidence`` is versioned JSON. Shape of ``schema_version`` 1::

    {"schema_version": 1,
     "supervision": {"id": str, "code": str, "commune": int | null},
     "supervisor": str,               # user id of who opened the sitting
     "identity": {"kind": "vneid" | "id_card",
                  "level": int,       # the account's identity_level then
                  "checked_by": str | null, "checked_at": str | null},
     "result": {"level": str | null, "passed": bool}}

A :class:`Certificate` is the printable (and, later, signed) proof of one
confirmation. Its ``code`` never changes: a re-issue after a name correction
raises ``version`` and appends a :class:`CertificateVersion`, so a printed
code keeps verifying. At most one certificate per confirmation is live.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel
from hocvuso.credentials.outbox.models import OutboxEvent

EVIDENCE_SCHEMA_VERSION = 1


class IdentityEvidence(models.TextChoices):
    VNEID = "vneid", _("Verified account (VNeID level 2)")
    ID_CARD = "id_card", _("Citizen ID card checked in person")


class Confirmation(BaseModel):
    """A result recognised as confirmed, with who decided it and on what evidence."""

    SCOPE_COMMUNE_FIELD = "result__user__profile__commune"
    SCOPE_OWNER_FIELD = "result__user"

    class Method(models.TextChoices):
        AUTOMATIC = "automatic", _("Automatic")
        MANUAL = "manual", _("By an officer")

    result = models.OneToOneField(
        "assessment.Result", on_delete=models.PROTECT, related_name="confirmation"
    )
    method = models.CharField(max_length=10, choices=Method.choices)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="empty when the system confirmed it",
    )
    confirmed_at = models.DateTimeField()
    evidence: models.JSONField[Any] = models.JSONField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")
        ordering = ["-confirmed_at"]

    def __str__(self) -> str:
        return f"{self.result_id} {self.confirmed_at:%Y-%m-%d}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Certificate(BaseModel):
    """The certificate of one confirmation, verified by its code."""

    SCOPE_COMMUNE_FIELD = "confirmation__result__user__profile__commune"
    SCOPE_OWNER_FIELD = "confirmation__result__user"

    confirmation = models.ForeignKey(
        Confirmation, on_delete=models.PROTECT, related_name="certificates"
    )
    code = models.CharField(max_length=32, unique=True)
    status_index = models.PositiveIntegerField(
        unique=True, help_text="position in the revocation status list"
    )
    credential: models.JSONField[Any] = models.JSONField(
        null=True, blank=True, help_text="the signed portable credential"
    )
    version = models.PositiveSmallIntegerField(default=1)
    name_on_certificate = models.CharField(max_length=150)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["confirmation"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_certificate_per_confirmation",
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class CertificateVersion(models.Model):
    """One (re)issue of a certificate: what it said and why it changed."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveSmallIntegerField()
    name_on_certificate = models.CharField(max_length=150)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["certificate", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "version"], name="certificate_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} v{self.version}"


__all__ = [
    "Certificate",
    "CertificateVersion",
    "Confirmation",
    "IdentityEvidence",
    "OutboxEvent",
]
