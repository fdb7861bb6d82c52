"""Writes for teams: create, change, archive, invite, join, leave, cards.

Joining a team gives the person the ``community_helper`` role in the team's
commune (``accounts.services.role_assign``); leaving the last team of that
commune takes it back, but only when a join created it (``TeamJoin``).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.models import Role, RoleAssignment, User
from hocvuso.accounts.services import role_assign, role_revoke
from hocvuso.community.errors import Invalid, InvitationInvalid, NotAllowed
from hocvuso.community.models import (
    Activity,
    AmbassadorCard,
    Invitation,
    MemberRole,
    Team,
    TeamJoin,
    TeamMember,
)
from hocvuso.community.selectors import (
    active_membership,
    can_manage_commune,
    team_access,
)
from hocvuso.core.services import audit_record, model_snapshot
from hocvuso.geo.models import Commune

TEAM_FIELDS = ["name", "kind", "description"]
# Unambiguous letters and digits (no 0/O, 1/I/L) for codes read aloud.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_INVITATION_DAYS = 90
MAX_INVITATION_USES = 500


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise Invalid(_("Enter the team's name."))
    return name[:150]


@transaction.atomic
def team_create(
    *, actor: User, commune: Commune, name: str, kind: str, description: str = ""
) -> Team:
    """Create a team in ``commune`` (commune officers of that commune)."""
    if not can_manage_commune(actor, commune.pk):
        raise NotAllowed(_("Only the commune's officers can create its teams."))
    team = Team(
        commune=commune,
        name=_clean_name(name),
        kind=kind,
        description=description.strip(),
        created_by=actor,
    )
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError as exc:
        raise Invalid(_("The commune already has a team of this name.")) from exc
    audit_record(
        actor=actor,
        action="team.create",
        obj=team,
        after=model_snapshot(team, ["commune", *TEAM_FIELDS]),
    )
    return team


@transaction.atomic
def team_update(
    *, actor: User, team: Team, name: str, kind: str, description: str
) -> Team:
    if not team_access(actor, team).manage:
        raise NotAllowed()
    before = model_snapshot(team, TEAM_FIELDS)
    team.name = _clean_name(name)
    team.kind = kind
    team.description = description.strip()
    try:
        with transaction.atomic():
            team.save(update_fields=[*TEAM_FIELDS, "updated_at"])
    except IntegrityError as exc:
        raise Invalid(_("The commune already has a team of this name.")) from exc
    audit_record(
        actor=actor,
        action="team.update",
        obj=team,
        before=before,
        after=model_snapshot(team, TEAM_FIELDS),
    )
    return team


@transaction.atomic
def team_archive(*, actor: User, team: Team, now: datetime | None = None) -> Team:
    """Archive a team: its members leave it, its invitations stop working.

    Visits stay (they are counted in the commune's tallies).
    """
    if not team_access(actor, team).manage:
        raise NotAllowed()
    if team.archived_at is not None:
        return team
    now = now or timezone.now()
    for member in TeamMember.objects.filter(team=team, left_at__isnull=True):
        _leave(actor=actor, member=member, now=now)
    Invitation.objects.filter(team=team, revoked_at__isnull=True).update(revoked_at=now)
    team.archived_at = now
    team.save(update_fields=["archived_at", "updated_at"])
    audit_record(actor=actor, action="team.archive", obj=team)
    return team


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    team: Team,
    role: str = MemberRole.MEMBER,
    max_uses: int = 1,
    days: int = 7,
    now: datetime | None = None,
) -> Invitation:
    """Create an invitation (commune officers and the team's leaders)."""
    if not team_access(actor, team).invite:
        raise NotAllowed(_("Only the commune's officers and team leaders can invite."))
    if role not in (MemberRole.MEMBER, MemberRole.AMBASSADOR):
        raise Invalid(_("An invitation is for a member or an ambassador."))
    if not 1 <= max_uses <= MAX_INVITATION_USES:
        raise Invalid(
            _("An invitation is for 1 to %(n)d people.") % {"n": MAX_INVITATION_USES}
        )
    if not 1 <= days <= MAX_INVITATION_DAYS:
        raise Invalid(
            _("An invitation is valid for 1 to %(n)d days.")
            % {"n": MAX_INVITATION_DAYS}
        )
    now = now or timezone.now()
    invitation = Invitation.objects.create(
        team=team,
        code=_new_code(),
        role=role,
        max_uses=max_uses,
        expires_at=now + timedelta(days=days),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="team.invite",
        obj=team,
        after={"invitation": str(invitation.pk), "role": role, "max_uses": max_uses},
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    if not team_access(actor, invitation.team).invite:
        raise NotAllowed()
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, action="team.invite.revoke", obj=invitation.team)
    return invitation


@transaction.atomic
def invitation_accept(
    *, actor: User, code: str, now: datetime | None = None
) -> TeamMember:
    """Join the invitation's team; idempotent for a person already in it.

    The invitation row is locked so that two people cannot both take the
    last place of a single-use invitation.
    """
    now = now or timezone.now()
    code = code.strip().upper().replace("-", "").replace(" ", "")
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("team__commune")
        .filter(code=code)
        .first()
        if code
        else None
    )
    if invitation is None:
        raise InvitationInvalid(_("This invitation code is not known."))
    team = invitation.team
    existing = active_membership(actor, team)
    if existing is not None:
        return existing
    if invitation.revoked_at is not None or team.archived_at is not None:
        raise InvitationInvalid(_("This invitation has been cancelled."))
    if invitation.expires_at <= now:
        raise InvitationInvalid(_("This invitation has expired. Ask for a new one."))
    if invitation.uses >= invitation.max_uses:
        raise InvitationInvalid(_("This invitation has already been used."))
    member = TeamMember.objects.create(
        team=team, user=actor, role=invitation.role, joined_at=now
    )
    Invitation.objects.filter(pk=invitation.pk).update(uses=F("uses") + 1)
    had_role = RoleAssignment.objects.filter(
        user=actor, role=Role.COMMUNITY_HELPER, commune=team.commune
    ).exists()
    role_assign(
        actor=actor,
        user=actor,
        role=Role.COMMUNITY_HELPER,
        commune=team.commune,
        authorised=True,
    )
    TeamJoin.objects.create(
        member=member, invitation=invitation, granted_helper_role=not had_role
    )
    audit_record(
        actor=actor,
        action="team.join",
        obj=team,
        after={"member": str(member.pk), "role": member.role},
    )
    return member


def _leave(*, actor: User, member: TeamMember, now: datetime) -> None:
    member.left_at = now
    member.save(update_fields=["left_at", "updated_at"])
    AmbassadorCard.objects.filter(member=member).update(published=False)
    commune = member.team.commune
    still_there = TeamMember.objects.filter(
        user_id=member.user_id,
        left_at__isnull=True,
        team__commune=commune,
        team__archived_at__isnull=True,
    ).exists()
    granted = TeamJoin.objects.filter(
        member__user_id=member.user_id,
        member__team__commune=commune,
        granted_helper_role=True,
    ).exists()
    if not still_there and granted:
        role_revoke(
            actor=actor,
            user=member.user,
            role=Role.COMMUNITY_HELPER,
            commune=commune,
            authorised=True,
        )
    audit_record(
        actor=actor,
        action="team.leave",
        obj=member.team,
        after={"member": str(member.pk)},
    )


@transaction.atomic
def member_leave(
    *, actor: User, member: TeamMember, now: datetime | None = None
) -> TeamMember:
    """End a membership: the person themselves, or an officer or leader.

    The person's visits stay; their card is hidden; the ``community_helper``
    role a join gave them goes when they are in no team of that commune.
    """
    if member.left_at is not None:
        return member
    access = team_access(actor, member.team)
    if member.user_id != actor.pk and not (access.manage or access.invite):
        raise NotAllowed()
    _leave(actor=actor, member=member, now=now or timezone.now())
    return member


@transaction.atomic
def member_set_role(*, actor: User, member: TeamMember, role: str) -> TeamMember:
    """Change a member's role (commune officers of the team's commune)."""
    if not team_access(actor, member.team).manage or member.left_at is not None:
        raise NotAllowed()
    if role not in MemberRole.values:
        raise Invalid(_("Choose a role."))
    before = {"role": member.role}
    member.role = role
    member.save(update_fields=["role", "updated_at"])
    audit_record(
        actor=actor,
        action="team.member.role",
        obj=member.team,
        before=before,
        after={"role": role, "member": str(member.pk)},
    )
    return member


@transaction.atomic
def card_save(
    *,
    actor: User,
    member: TeamMember,
    display_name: str,
    helps_with: list[str],
    helps_other: str = "",
    where_when: str = "",
    contact: str = "",
    published: bool = True,
) -> AmbassadorCard:
    """Create or change an ambassador's own public card."""
    if member.user_id != actor.pk or member.left_at is not None:
        raise NotAllowed()
    if member.role != MemberRole.AMBASSADOR:
        raise NotAllowed(_("Only digital ambassadors have a public card."))
    name = " ".join(display_name.split())[:80]
    if not name:
        raise Invalid(_("Enter the name people will see."))
    unknown = set(helps_with) - set(Activity.values)
    if unknown:
        raise Invalid(_("Choose what you help with from the list."))
    card, _created = AmbassadorCard.objects.update_or_create(
        member=member,
        defaults={
            "display_name": name,
            "helps_with": [a for a in Activity.values if a in helps_with],
            "helps_other": helps_other.strip()[:200],
            "where_when": where_when.strip()[:200],
            "contact": contact.strip()[:100],
            "published": published,
        },
    )
    return card
