"""Community digital teams and their members.

Teams belong to one commune; commune officers create them and scope every
question about them (``SCOPE_COMMUNE_FIELD``). The rest of the community app
(invitations, ambassadors' cards, household visits, events and attendance)
builds on these two models.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel


class TeamKind(models.TextChoices):
    COMMUNITY_TECH = "community_tech", _("Community digital technology team")
    YOUTH_UNION = "youth_union", _("Youth union")
    WOMENS_UNION = "womens_union", _("Women's union")
    SCHOOL = "school", _("School")
    ENTERPRISE = "enterprise", _("Enterprise")
    OTHER = "other", _("Other")


class Team(BaseModel):
    """A team that helps the people of one commune."""

    SCOPE_COMMUNE_FIELD = "commune"

    commune = models.ForeignKey(
        "geo.Commune",
        on_delete=models.PROTECT,
        related_name="teams",
        verbose_name=_("commune"),
    )
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=TeamKind.choices,
        default=TeamKind.COMMUNITY_TECH,
    )
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        ordering = ["commune_id", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "name"],
                condition=Q(archived_at__isnull=True),
                name="team_name_unique_per_commune",
            )
        ]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    MEMBER = "member", _("Member")
    AMBASSADOR = "ambassador", _("Digital ambassador")


class TeamMember(BaseModel):
    """A person's place in a team; leaving keeps the row (``left_at``)."""

    SCOPE_COMMUNE_FIELD = "team__commune"

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="members", verbose_name=_("team")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="team_memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(
        _("role"), max_length=12, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    joined_at = models.DateTimeField(_("joined at"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    class Meta:
        ordering = ["team_id", "joined_at"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"],
                condition=Q(left_at__isnull=True),
                name="team_member_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.team}"


# --- Events: classes, seminars, device clinics, the 10 October festival -------


class EventKind(models.TextChoices):
    CLASS = "class", _("Class")
    SEMINAR = "seminar", _("Seminar")
    DEVICE_CLINIC = "device_clinic", _("Device clinic")
    FESTIVAL = "festival", _("Festival event")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class Event(BaseModel):
    """A class, seminar, device clinic or festival event held in one commune.

    Times are stored in UTC and shown in Asia/Ho_Chi_Minh. ``preset_key`` names
    the slot of a preset programme (``festival-2026-opening``) so that creating
    the programme twice creates nothing the second time.
    """

    SCOPE_COMMUNE_FIELD = "commune"

    kind = models.CharField(
        _("kind"), max_length=20, choices=EventKind.choices, default=EventKind.CLASS
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    venue = models.CharField(_("venue"), max_length=300)
    commune = models.ForeignKey(
        "geo.Commune",
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("commune"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    target_group = models.ForeignKey(
        "framework.TargetGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("for whom"),
    )
    capacity = models.PositiveIntegerField(_("places"))
    organiser_team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("organising team"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EventStatus.choices,
        default=EventStatus.DRAFT,
    )
    cancel_notice = models.TextField(_("cancellation notice"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    preset_key = models.CharField(max_length=60, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["starts_at", "title"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["commune", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gt=0), name="event_capacity_positive"
            ),
            models.UniqueConstraint(
                fields=["commune", "preset_key"],
                condition=~Q(preset_key=""),
                name="event_preset_once_per_commune",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class EventRegistration(BaseModel):
    """One person's place (or place in the queue) at an event.

    One row per event and person: cancelling and registering again reuse it,
    so a retried request never creates a second place. ``queued_at`` orders
    the waiting list.
    """

    SCOPE_COMMUNE_FIELD = "event__commune"
    SCOPE_OWNER_FIELD = "user"

    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("event"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="event_registrations",
        verbose_name=_("person"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RegistrationStatus.choices
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("registered by"),
    )
    queued_at = models.DateTimeField(_("asked at"))
    promoted_at = models.DateTimeField(_("moved off the waiting list at"), null=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["event_id", "queued_at"]
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"], name="event_registration_once"
            )
        ]
        indexes = [models.Index(fields=["event", "status", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.event}"


class AttendanceMethod(models.TextChoices):
    SCREEN_QR = "screen_qr", _("Scanned the event's QR code")
    HELPER_SCAN = "helper_scan", _("Card scanned by a helper")
    HELPER_TYPED = "helper_typed", _("Code typed by a helper")


class Attendance(BaseModel):
    """A person was at an event: recorded once, however often they scan."""

    SCOPE_COMMUNE_FIELD = "event__commune"
    SCOPE_OWNER_FIELD = "user"

    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("event"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="event_attendances",
        verbose_name=_("person"),
    )
    checked_in_at = models.DateTimeField(_("checked in at"))
    was_registered = models.BooleanField(_("registered beforehand"))
    method = models.CharField(_("how"), max_length=12, choices=AttendanceMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["event_id", "checked_in_at"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.event}"


class AttendanceCode(BaseModel):
    """A person's short code, shown as text and QR on their card.

    Helpers scan or type it to record that person at an event. It identifies
    the person and nothing else (no name, no phone number); a lost card is
    replaced by a new code.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="attendance_code",
        verbose_name=_("person"),
    )
    code = models.CharField(_("attendance code"), max_length=12, unique=True)

    class Meta:
        verbose_name = _("attendance code")
        verbose_name_plural = _("attendance codes")

    def __str__(self) -> str:
        return self.code
