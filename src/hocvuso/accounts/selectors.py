from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from hocvuso.accounts.data_export import export_sections
from hocvuso.accounts.models import (
    GuidanceGrant,
    LearnerProfile,
    OidcIdentity,
    Role,
    User,
)
from hocvuso.accounts.permissions import scope_queryset, user_roles
from hocvuso.core.models import AuditLog


def learner_list(
    *, viewer: AbstractBaseUser | AnonymousUser
) -> QuerySet[LearnerProfile]:
    """Return the learner profiles ``viewer`` may see, with user, commune, group."""
    qs = LearnerProfile.objects.select_related(
        "user", "commune__province", "target_group"
    ).order_by("user__full_name")
    return scope_queryset(viewer, qs)


def user_profile_get(*, user: User) -> LearnerProfile | None:
    return (
        LearnerProfile.objects.select_related(
            "commune__province", "target_group__required_level"
        )
        .filter(user=user)
        .first()
    )


def user_oidc_identity(*, user: User, issuer: str) -> OidcIdentity | None:
    """Return ``user``'s identity at ``issuer``, if linked."""
    return OidcIdentity.objects.filter(user=user, issuer=issuer).first()


def user_data_export(*, user: User) -> dict[str, Any]:
    """Return everything held about ``user`` as JSON-ready data ("my data")."""
    profile = user_profile_get(user=user)
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "id": str(user.pk),
            "username": user.username,
            "full_name": user.full_name,
            "phone": user.phone,
            "email": user.email,
            "national_id_last4": user.national_id_last4 or None,
            "national_id_stored": "keyed hash only" if user.national_id_hash else None,
            "language": user.language,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "registered_by_helper": user.registered_by_id is not None,
            "identity_level": user.identity_level,
        },
        "identities": [
            {
                "issuer": i.issuer,
                "subject": i.subject,
                "level": i.level,
                "seen_at": i.seen_at.isoformat(),
            }
            for i in user.oidc_identities.all()
        ],
        "profile": {
            "birth_year": profile.birth_year,
            "target_group": profile.target_group.slug if profile.target_group else None,
            "commune": (
                {"code": profile.commune.code, "name": str(profile.commune)}
                if profile.commune
                else None
            ),
        }
        if profile
        else None,
        "roles": [
            {
                "role": r.role,
                "province": r.province_id,
                "commune": r.commune_id,
            }
            for r in user.roles.all()
        ],
        "consents": [
            {
                "policy_version": c.policy_version,
                "purposes": c.purposes,
                "method": c.method,
                "given_at": c.given_at.isoformat(),
                "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in user.consents.all()
        ],
        "data_requests": [
            {
                "kind": d.kind,
                "status": d.status,
                "message": d.message,
                "created_at": d.created_at.isoformat(),
            }
            for d in user.data_requests.all()
        ],
        "activity": [
            {"at": a.created_at.isoformat(), "action": a.action}
            for a in AuditLog.objects.filter(
                object_type="accounts.user", object_id=str(user.pk)
            )
        ],
        **export_sections(user),
    }


def assisted_learners(*, viewer: User, q: str = "") -> QuerySet[User]:
    """Return the assisted learners ``viewer`` helps or oversees, by name.

    A helper sees the people they hold an open guidance grant for; a commune
    officer also every person of their commune registered by a helper or
    with a grant. ``q`` matches the name or the end of the phone number.
    """
    open_grants = GuidanceGrant.objects.filter(
        learner=OuterRef("pk"), ended_at__isnull=True
    )
    allowed = Q(Exists(open_grants.filter(helper=viewer)))
    communes = [
        a.commune_id for a in user_roles(viewer) if a.role == Role.COMMUNE_OFFICER
    ]
    if communes:
        allowed |= Q(profile__commune_id__in=communes) & (
            Q(registered_by__isnull=False)
            | Q(Exists(GuidanceGrant.objects.filter(learner=OuterRef("pk"))))
        )
    qs = User.objects.filter(allowed, is_active=True).select_related(
        "profile__commune__province"
    )
    q = " ".join(q.split())[:100]
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        match = Q(full_name__icontains=q)
        if len(digits) >= 3:
            match |= Q(phone__endswith=digits)
        qs = qs.filter(match)
    return qs.annotate(guided_by_me=Exists(open_grants.filter(helper=viewer))).order_by(
        "full_name", "pk"
    )


def guidance_grants_for(*, learner: User) -> QuerySet[GuidanceGrant]:
    """Return the learner's grants, open ones first, with their helpers."""
    return (
        GuidanceGrant.objects.filter(learner=learner)
        .select_related("helper", "granted_by")
        .order_by("ended_at", "-started_at")
    )
