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
