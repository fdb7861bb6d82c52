"""The one-time codes that let a person set a new password (``password_reset.py``).

Imported by ``accounts/models.py`` so that the model belongs to the app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel


class PasswordResetCode(BaseModel):
    """A code to set a new password, sent by SMS or given in person.

    Only a keyed hash of the code is stored (with the user's id in the key,
    so short SMS codes of two people never collide). At most one live code
    per person: a new one voids the previous. A code is used once, expires,
    and is voided after ``MAX_FAILED_CHECKS`` wrong tries.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("Text message")
        IN_PERSON = "in_person", _("In person, by a helper or officer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="password_reset_codes",
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    code_hash = models.CharField(max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    failed_checks = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("password reset code")
        verbose_name_plural = _("password reset codes")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(used_at__isnull=True, voided_at__isnull=True),
                name="password_reset_one_live_code",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.channel} {self.expires_at:%Y-%m-%d %H:%M}"
