from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from hocvuso.accounts.models import User
from hocvuso.accounts.permissions import user_roles
from hocvuso.accounts.selectors import user_profile_get

router = Router()


class RoleOut(Schema):
    role: str
    province: int | None
    commune: int | None


class MeOut(Schema):
    id: str
    username: str
    full_name: str
    language: str
    birth_year: int | None
    target_group: str | None
    commune: int | None
    roles: list[RoleOut]


@router.get("/me", response=MeOut, auth=django_auth)
def me(request: HttpRequest) -> MeOut:
    """Return the signed-in user's own account and profile."""
    user = request.user
    assert isinstance(user, User)
    profile = user_profile_get(user=user)
    return MeOut(
        id=str(user.pk),
        username=user.username,
        full_name=user.full_name,
        language=user.language,
        birth_year=profile.birth_year if profile else None,
        target_group=profile.target_group.slug
        if profile and profile.target_group
        else None,
        commune=profile.commune_id if profile else None,
        roles=[
            RoleOut(role=r.role, province=r.province_id, commune=r.commune_id)
            for r in user_roles(user)
        ],
    )
