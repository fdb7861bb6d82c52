"""Roles, the permissions they grant and querysets scoped to administrative units.

Every query that returns people's data goes through ``scope_queryset``: a
commune officer sees the learners of their commune(s), a province officer those
of their province, a community helper the people they registered, a learner
themselves, a national admin everyone.

A scoped model declares two lookups: ``SCOPE_COMMUNE_FIELD`` (path to the
``geo.Commune`` the row belongs to) and ``SCOPE_OWNER_FIELD`` (path to the user
it belongs to, ``"pk"`` for the user model itself).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, Q, QuerySet

from hocvuso.accounts.models import Role, RoleAssignment

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

M = TypeVar("M", bound=Model)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.LEARNER: frozenset(),
    Role.COMMUNITY_HELPER: frozenset({"accounts.assist_registration"}),
    Role.COMMUNE_OFFICER: frozenset(
        {"accounts.view_learners", "accounts.assist_registration"}
    ),
    Role.PROVINCE_OFFICER: frozenset({"accounts.view_learners"}),
    Role.CONTENT_EDITOR: frozenset({"learning.edit_content"}),
    Role.NATIONAL_ADMIN: frozenset(
        {"core.view_auditlog", "accounts.view_learners", "accounts.manage_roles"}
    ),
}

_CACHE_ATTR = "_hocvuso_roles"


def user_roles(user: AbstractBaseUser | AnonymousUser) -> list[RoleAssignment]:
    """Return the user's role assignments (cached on the user object)."""
    if not user.is_authenticated:
        return []
    cached: list[RoleAssignment] | None = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user_id=user.pk))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def clear_role_cache(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def role_permissions(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    """Return the permission names granted by the user's roles."""
    perms: set[str] = set()
    for assignment in user_roles(user):
        perms |= ROLE_PERMISSIONS.get(assignment.role, frozenset())
    return frozenset(perms)


def has_role(user: AbstractBaseUser | AnonymousUser, *roles: str) -> bool:
    return any(a.role in roles for a in user_roles(user))


def _join(prefix: str, field: str) -> str:
    return field if prefix == "pk" else f"{prefix}__{field}"


def scope_queryset(
    user: AbstractBaseUser | AnonymousUser, qs: QuerySet[M]
) -> QuerySet[M]:
    """Return the rows of ``qs`` that ``user`` may see (see the module docstring)."""
    model = qs.model
    commune_field: str | None = getattr(model, "SCOPE_COMMUNE_FIELD", None)
    owner_field: str | None = getattr(model, "SCOPE_OWNER_FIELD", None)
    if commune_field is None or owner_field is None:
        raise TypeError(f"{model.__name__} does not declare its scope fields")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if getattr(user, "is_superuser", False):
        return qs
    allowed = Q(**{owner_field: user.pk})
    for assignment in user_roles(user):
        if assignment.role == Role.NATIONAL_ADMIN:
            return qs
        if assignment.role == Role.PROVINCE_OFFICER:
            allowed |= Q(**{f"{commune_field}__province_id": assignment.province_id})
        elif assignment.role == Role.COMMUNE_OFFICER:
            allowed |= Q(**{f"{commune_field}_id": assignment.commune_id})
        elif assignment.role == Role.COMMUNITY_HELPER:
            allowed |= Q(**{_join(owner_field, "registered_by"): user.pk})
    return qs.filter(allowed)
