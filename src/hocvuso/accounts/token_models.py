"""Personal access tokens for apps and scripts that call the API.

A token is shown once, when it is made; only its SHA-256 digest is stored
(the token is 256 random bits, so a plain digest cannot be reversed and lets
the database find it by an index). The first characters (``prefix``) are kept
in clear so a person can tell their tokens apart.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel


class TokenScope(models.TextChoices):
    READ = "read", _("Read (GET)")
    WRITE = "write", _("Write (POST, PUT, PATCH, DELETE)")


class ApiToken(BaseModel):
    """A personal access token: who it acts for, what it may do, until when."""

    SCOPE_COMMUNE_FIELD = "user__profile__commune"
    SCOPE_OWNER_FIELD = "user"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("start of the token"), max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scopes: models.JSONField[list[str]] = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
