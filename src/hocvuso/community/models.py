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


# -- Invitations, ambassadors' cards, household visits ---------------------


class Invitation(BaseModel):
    """A link or code that lets signed-in people join a team.

    ``max_uses`` 1 is a single-use invitation; ``uses`` counts the people who
    joined with it. It stops working at ``expires_at`` or when revoked.
    """

    SCOPE_COMMUNE_FIELD = "team__commune"

    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("team"),
    )
    code = models.CharField(_("code"), max_length=16, unique=True)
    role = models.CharField(
        _("role"), max_length=12, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    max_uses = models.PositiveIntegerField(_("number of people"), default=1)
    uses = models.PositiveIntegerField(_("used"), default=0)
    expires_at = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=Q(uses__lte=models.F("max_uses")),
                name="invitation_uses_within_max",
            ),
            models.CheckConstraint(
                condition=~Q(role="leader"), name="invitation_not_for_leaders"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.code}"


class TeamJoin(BaseModel):
    """How a membership began: the invitation used, the role it granted.

    ``granted_helper_role`` is true when joining created the person's
    ``community_helper`` role in the team's commune; leaving the last team of
    that commune takes back only a role that a join created.
    """

    member = models.OneToOneField(
        TeamMember, on_delete=models.CASCADE, related_name="join"
    )
    invitation = models.ForeignKey(
        Invitation, null=True, on_delete=models.SET_NULL, related_name="joins"
    )
    granted_helper_role = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("team join")
        verbose_name_plural = _("team joins")

    def __str__(self) -> str:
        return str(self.member)


class Activity(models.TextChoices):
    """What a volunteer helped with; the same list on visits and cards."""

    VNEID_INSTALLED = "vneid_installed", _("VNeID app installed")
    LEVEL1_ACTIVATED = "level1_activated", _("Level-1 e-ID account activated")
    LEVEL2_GUIDANCE = "level2_guidance", _("Guidance for a level-2 e-ID account")
    DOCUMENTS_INTEGRATED = "documents_integrated", _("Documents added to VNeID")
    EHEALTH_BOOK = "ehealth_book", _("Electronic health book installed or used")
    PUBLIC_SERVICE = "public_service", _("Online public service submitted")
    PAYMENT = "payment", _("Bank app or VietQR payment set up")
    SCAM_AWARENESS = "scam_awareness", _("Scam awareness")
    COURSE_ENROLLED = "course_enrolled", _("Enrolled in a course")
    SUPERVISED_TEST = "supervised_test", _("Sat a supervised test")


class AmbassadorCard(BaseModel):
    """A digital ambassador's public card, shown on the commune's page.

    Everything on it is what the ambassador chose to show: a display name
    (not the account's name), what they help with, where and when to find
    them, and a contact only if they typed one (none by default).
    """

    SCOPE_COMMUNE_FIELD = "member__team__commune"
    SCOPE_OWNER_FIELD = "member__user"

    member = models.OneToOneField(
        TeamMember,
        on_delete=models.CASCADE,
        related_name="card",
        verbose_name=_("member"),
    )
    display_name = models.CharField(_("name to show"), max_length=80)
    helps_with: models.JSONField[list[str]] = models.JSONField(
        _("helps with"), default=list, blank=True
    )
    helps_other = models.CharField(_("other help"), max_length=200, blank=True)
    where_when = models.CharField(_("when and where"), max_length=200, blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    published = models.BooleanField(_("shown to the public"), default=True)

    class Meta:
        verbose_name = _("ambassador card")
        verbose_name_plural = _("ambassador cards")

    def __str__(self) -> str:
        return self.display_name


MAX_PEOPLE_PER_VISIT = 50


class Visit(BaseModel):
    """One household visit by a volunteer of a team.

    The primary key is generated by the volunteer's browser, so a visit sent
    again after a lost connection is stored once. Visits keep counts and
    activities, never the names or ID numbers of the people helped.
    """

    SCOPE_COMMUNE_FIELD = "commune"
    SCOPE_OWNER_FIELD = "volunteer"

    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="visits", verbose_name=_("team")
    )
    # The team's commune, copied so that scoping and tallies need no join.
    commune = models.ForeignKey(
        "geo.Commune",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("commune"),
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("volunteer"),
    )
    visited_at = models.DateTimeField(_("visited at"), db_index=True)
    hamlet = models.CharField(_("hamlet or residential group"), max_length=100)
    people_helped = models.PositiveSmallIntegerField(_("people helped"))
    note = models.TextField(_("note"), blank=True)
    photo = models.ImageField(
        _("photo"), upload_to="visits/%Y/%m/", blank=True, max_length=200
    )
    photo_location_kept = models.BooleanField(default=False)
    followup_what = models.CharField(_("follow-up"), max_length=200, blank=True)
    followup_due = models.DateField(_("follow-up by"), null=True, blank=True)
    followup_done_at = models.DateTimeField(null=True, blank=True)
    followup_done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-visited_at"]
        verbose_name = _("household visit")
        verbose_name_plural = _("household visits")
        indexes = [
            models.Index(fields=["commune", "visited_at"]),
            models.Index(fields=["team", "visited_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(people_helped__gte=1)
                & Q(people_helped__lte=MAX_PEOPLE_PER_VISIT),
                name="visit_people_helped_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hamlet} · {self.visited_at:%Y-%m-%d}"


class VisitActivity(models.Model):
    """One activity done during a visit (one row each, so tallies are SQL)."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="activities"
    )
    activity = models.CharField(max_length=30, choices=Activity.choices)

    class Meta:
        verbose_name = _("visit activity")
        verbose_name_plural = _("visit activities")
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "activity"], name="visit_activity_once"
            )
        ]

    def __str__(self) -> str:
        return self.activity
