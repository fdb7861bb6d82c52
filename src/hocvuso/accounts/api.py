from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from hocvuso.accounts.api_auth import session_or_token
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


@router.get("/me", response=MeOut, auth=session_or_token, summary="Who am I")
def me(request: HttpRequest) -> MeOut:
    """The account that calls: name, language, birth year, target group, commune and
    roles. Needs a sign-in: the browser session or a personal access token with the
    `read` scope.

    Example: `curl -H 'Authorization: Bearer hvs_…' https://…/api/accounts/me`
    """
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
