from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from hocvuso.accounts.models import LearnerProfile, OidcIdentity, User
from hocvuso.accounts.permissions import scope_queryset
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
    }
