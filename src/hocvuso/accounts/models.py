"""Users, learner profiles, scoped roles, consent and data-subject requests.

Personal data is minimised: a national ID number is never stored, only a keyed
hash (HMAC-SHA256 with a server secret, so it can be matched at sign-in but not
reversed by brute force without the key) and its last four digits for display.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.accounts.identifiers import normalise_phone
from hocvuso.accounts.reset_models import (  # defined apart, part of this app
    PasswordResetCode as PasswordResetCode,
)
from hocvuso.core.models import BaseModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self, username: str, password: str | None = None, **extra: Any
    ) -> User:
        if not username:
            raise ValueError("username is required")
        user = self.model(username=self.model.normalize_username(username), **extra)
        if user.phone:
            user.phone = normalise_phone(user.phone) or user.phone
        elif user.phone is None:
            user.phone = normalise_phone(user.username)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, username: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(username, password, **extra)


class IdentityLevel(models.IntegerChoices):
    NONE = 0, _("Not verified")
    LEVEL_1 = 1, _("Level 1 (self-registered e-identity)")
    LEVEL_2 = 2, _("Level 2 (verified in person or with the chip ID card)")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: by phone number, e-mail or national ID number."""

    SCOPE_COMMUNE_FIELD = "profile__commune"
    SCOPE_OWNER_FIELD = "pk"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    username = models.CharField(_("user name"), max_length=150, unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(
        _("phone number"), max_length=15, unique=True, null=True, blank=True
    )
    email = models.EmailField(_("e-mail"), unique=True, null=True, blank=True)
    national_id_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    national_id_last4 = models.CharField(
        _("national ID (last 4 digits)"), max_length=4, blank=True
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="vi"
    )
    identity_level = models.PositiveSmallIntegerField(
        _("identity assurance level"),
        choices=IdentityLevel.choices,
        default=IdentityLevel.NONE,
        help_text=_(
            "How surely this person is who they say: from the identity provider "
            "(VNeID level 1 or 2) at sign-in."
        ),
    )
    registered_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assisted_users",
        verbose_name=_("registered by"),
    )
    is_staff = models.BooleanField(_("staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @classmethod
    def normalize_username(cls, username: str) -> str:
        """Return the one spelling of a user name that sign-in will find.

        A phone number in any spelling ("0903 555 666", "+84903555666") becomes
        ``0903555666``, an e-mail is lower-cased, spaces are collapsed: the
        sign-in box parses what people type the same way.
        """
        text = " ".join(str(super().normalize_username(username)).split())
        phone = normalise_phone(text)
        if phone:
            return phone
        return text.lower() if "@" in text else text

    def clean(self) -> None:
        """Normalise the identifiers however the account is made (admin, import)."""
        super().clean()
        if self.phone:
            phone = normalise_phone(self.phone)
            if phone is None:
                raise ValidationError(
                    {"phone": _("Enter a mobile phone number (10 digits).")}
                )
            self.phone = phone
        elif normalise_phone(self.username):
            self.phone = self.username
        else:
            self.phone = None
        self.email = self.email.strip().lower() if self.email else None

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[-1] if self.full_name else self.username


class LearnerProfile(BaseModel):
    """What a learner tells about themselves to get the right track."""

    SCOPE_COMMUNE_FIELD = "commune"
    SCOPE_OWNER_FIELD = "user"

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"), null=True, blank=True
    )
    target_group = models.ForeignKey(
        "framework.TargetGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("target group"),
    )
    commune = models.ForeignKey(
        "geo.Commune",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="learners",
        verbose_name=_("commune"),
    )

    class Meta:
        verbose_name = _("learner profile")
        verbose_name_plural = _("learner profiles")

    def __str__(self) -> str:
        return str(self.user)


class Role(models.TextChoices):
    LEARNER = "learner", _("Learner")
    COMMUNITY_HELPER = "community_helper", _("Community helper")
    COMMUNE_OFFICER = "commune_officer", _("Commune officer")
    PROVINCE_OFFICER = "province_officer", _("Province officer")
    CONTENT_EDITOR = "content_editor", _("Content editor")
    NATIONAL_ADMIN = "national_admin", _("National admin")


COMMUNE_ROLES = (Role.LEARNER, Role.COMMUNITY_HELPER, Role.COMMUNE_OFFICER)


class RoleAssignment(BaseModel):
    """A role held by a user within an administrative unit.

    Commune-level roles name a commune, province officers a province; content
    editors and national admins work nationwide (no unit).
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    province = models.ForeignKey(
        "geo.Province",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("province"),
    )
    commune = models.ForeignKey(
        "geo.Commune",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("commune"),
    )
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_role",
                condition=(
                    Q(
                        role__in=[r.value for r in COMMUNE_ROLES],
                        commune__isnull=False,
                        province__isnull=True,
                    )
                    | Q(
                        role=Role.PROVINCE_OFFICER,
                        province__isnull=False,
                        commune__isnull=True,
                    )
                    | Q(
                        role__in=[Role.CONTENT_EDITOR, Role.NATIONAL_ADMIN],
                        province__isnull=True,
                        commune__isnull=True,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "commune"],
                condition=Q(commune__isnull=False),
                name="role_unique_per_commune",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "province"],
                condition=Q(province__isnull=False),
                name="role_unique_per_province",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(commune__isnull=True, province__isnull=True),
                name="role_unique_nationwide",
            ),
        ]

    def __str__(self) -> str:
        unit = self.commune or self.province or _("nationwide")
        return f"{self.get_role_display()} — {unit}"


class ConsentMethod(models.TextChoices):
    SELF = "self", _("Given by the person online")
    ASSISTED = "assisted", _("Given to a helper after the notice was explained")


class Consent(BaseModel):
    """Consent to processing under the Personal Data Protection Law 91/2025/QH15."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    policy_version = models.CharField(max_length=20)
    purposes = models.JSONField(default=list)
    method = models.CharField(max_length=10, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    given_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.user} — {self.policy_version}"


class DataRequest(BaseModel):
    """A data subject's request to correct (or delete) their data."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        DELETION = "deletion", _("Deletion")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="data_requests"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    message = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default="open")
    handled_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class LimitEvent(models.Model):
    """One attempt counted by a sliding-window limit (``accounts/limits.py``).

    ``key`` (and ``account``) are keyed hashes of what is counted: never a
    phone number, ID number, e-mail or IP address in clear. A row is written
    before the attempt is checked and deleted again when the attempt turns out
    not to count (a successful sign-in, an attempt refused anyway), so the rows
    of a key within a window are its counted attempts. Rows older than the
    longest window are deleted as new ones arrive.
    """

    class Scope(models.TextChoices):
        SIGNIN_ACCOUNT = "signin.account", _("Failed sign-ins of an account")
        SIGNIN_DEVICE = "signin.device", _("Failed sign-ins on a trusted device")
        SIGNIN_IP = "signin.ip", _("Failed sign-ins from an address")
        REGISTER_REFUSED = "register.refused", _("Refused registrations")
        REGISTER_CREATED = "register.created", _("Accounts registered")
        CLAIM_FAILED = "claim.failed", _("Wrong claim codes")
        RESET_REQUESTED = "reset.requested", _("Password reset codes asked for")
        RESET_FAILED = "reset.failed", _("Wrong password reset codes")

    id = models.BigAutoField(primary_key=True)
    scope = models.CharField(max_length=20, choices=Scope.choices)
    key = models.CharField(max_length=64)
    account = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["scope", "key", "at"], name="limit_event_key_at"),
            models.Index(fields=["account"], name="limit_event_account"),
            models.Index(fields=["at"], name="limit_event_at"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.at:%Y-%m-%d %H:%M:%S}"


class GuidanceGrant(BaseModel):
    """A helper's right to act for a learner, given with the learner's consent.

    Only a community helper or commune officer of the learner's commune holds
    one. At most one open grant per helper and learner; a grant is never
    deleted, it ends (``ended_at`` and ``end_reason``) and stays as a record.
    """

    SCOPE_COMMUNE_FIELD = "commune"
    SCOPE_OWNER_FIELD = "learner"

    class EndReason(models.TextChoices):
        CLAIMED = "claimed", _("The person took over their account")
        REVOKED_LEARNER = "revoked_learner", _("Ended by the person")
        REVOKED_OFFICER = "revoked_officer", _("Ended by a commune officer")
        HELPER_LEFT = "helper_left", _("The helper no longer helps in the commune")

    helper = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="guidance_given",
        verbose_name=_("helper"),
    )
    learner = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="guidance_received",
        verbose_name=_("learner"),
    )
    commune = models.ForeignKey(
        "geo.Commune", on_delete=models.PROTECT, related_name="+"
    )
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent_version = models.CharField(max_length=20)
    consent_recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    ended_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("guidance grant")
        verbose_name_plural = _("guidance grants")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["helper", "learner"],
                condition=Q(ended_at__isnull=True),
                name="guidance_one_open_grant",
            ),
            models.CheckConstraint(
                name="guidance_not_self", condition=~Q(helper=models.F("learner"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.helper} → {self.learner}"

    @property
    def active(self) -> bool:
        return self.ended_at is None


class ClaimCode(BaseModel):
    """A one-time code printed on a learner's card to take over the account.

    Only a keyed hash of the code is stored. At most one live code per
    learner: issuing a new card voids the old one.
    """

    learner = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="claim_codes"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    failed_checks = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("claim code")
        verbose_name_plural = _("claim codes")
        constraints = [
            models.UniqueConstraint(
                fields=["learner"],
                condition=Q(used_at__isnull=True, voided_at__isnull=True),
                name="claim_one_live_code",
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.expires_at:%Y-%m-%d}"


class OidcIdentity(BaseModel):
    """A person's identity at an OpenID provider (VNeID…), linked to one account.

    Unique on (issuer, subject): one subject never yields two accounts; an
    account holds at most one identity per issuer. ``level`` and ``seen_at``
    are the assurance level the provider gave at the latest sign-in, and when.
    """

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="oidc_identities",
        verbose_name=_("user"),
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    level = models.PositiveSmallIntegerField(
        _("identity assurance level"),
        choices=IdentityLevel.choices,
        default=IdentityLevel.NONE,
    )
    seen_at = models.DateTimeField(_("last signed in"))

    class Meta:
        verbose_name = _("OpenID identity")
        verbose_name_plural = _("OpenID identities")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="oidc_identity_unique_subject"
            ),
            models.UniqueConstraint(
                fields=["user", "issuer"], name="oidc_identity_unique_per_issuer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"


# Kept in a module of its own; imported here so Django registers the model.
from hocvuso.accounts.token_models import ApiToken  # noqa: E402, F401
