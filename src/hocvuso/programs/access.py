"""Which administrative units a person may steer, and how units are named.

A commune officer sees their commune(s); a province officer their province and
its communes; a national admin (or superuser) everything. Every programs page,
API, export and task list checks a unit with :func:`unit_allowed` (or lists
them with :func:`units_for_user`) before reading a row.

Units are written in URLs as ``vn``, ``p<code>`` (``p1``) and ``c<code>``
(``c4``): :func:`unit_parse` and :meth:`UnitRef.slug`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from hocvuso.accounts.models import Role
from hocvuso.accounts.permissions import user_roles
from hocvuso.geo.models import Commune, Province
from hocvuso.programs.models import UnitLevel

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

_SLUG = re.compile(r"^(?:(vn)|p(\d{1,3})|c(\d{1,6}))$")


@dataclass(frozen=True, order=True)
class UnitRef:
    """A unit by level and codes: the nation, a province or a commune."""

    level: str
    province_code: int = 0
    commune_code: int = 0

    @classmethod
    def nation(cls) -> UnitRef:
        return cls(UnitLevel.NATION)

    @classmethod
    def province(cls, code: int) -> UnitRef:
        return cls(UnitLevel.PROVINCE, code)

    @classmethod
    def commune(cls, commune: Commune) -> UnitRef:
        return cls(UnitLevel.COMMUNE, commune.province_id, commune.code)

    @property
    def slug(self) -> str:
        if self.level == UnitLevel.COMMUNE:
            return f"c{self.commune_code}"
        if self.level == UnitLevel.PROVINCE:
            return f"p{self.province_code}"
        return "vn"

    @property
    def parent(self) -> UnitRef | None:
        if self.level == UnitLevel.COMMUNE:
            return UnitRef.province(self.province_code)
        if self.level == UnitLevel.PROVINCE:
            return UnitRef.nation()
        return None

    def contains(self, other: UnitRef) -> bool:
        """Return whether ``other`` is this unit or lies inside it."""
        if self.level == UnitLevel.NATION:
            return True
        if self.level == UnitLevel.PROVINCE:
            return other.level != UnitLevel.NATION and (
                other.province_code == self.province_code
            )
        return other == self


class UnknownUnit(LookupError):
    """The text names no province or commune."""


def unit_parse(text: str) -> UnitRef:
    """Return the unit named ``vn``, ``p<code>`` or ``c<code>`` (checked in geo)."""
    match = _SLUG.match(text.strip().lower())
    if match is None:
        raise UnknownUnit(text)
    if match.group(1):
        return UnitRef.nation()
    if match.group(2):
        code = int(match.group(2))
        if not Province.objects.filter(code=code).exists():
            raise UnknownUnit(text)
        return UnitRef.province(code)
    commune = Commune.objects.filter(code=int(match.group(3))).first()
    if commune is None:
        raise UnknownUnit(text)
    return UnitRef.commune(commune)


def unit_name(unit: UnitRef) -> str:
    """Return the unit's display name."""
    if unit.level == UnitLevel.COMMUNE:
        commune = Commune.objects.filter(code=unit.commune_code).first()
        return commune.name if commune else str(unit.commune_code)
    if unit.level == UnitLevel.PROVINCE:
        province = Province.objects.filter(code=unit.province_code).first()
        return province.name if province else str(unit.province_code)
    return "Việt Nam"


def units_for_user(user: AbstractBaseUser | AnonymousUser) -> list[UnitRef]:
    """Return the widest units the user steers (empty: none)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if getattr(user, "is_superuser", False):
        return [UnitRef.nation()]
    units: list[UnitRef] = []
    for assignment in user_roles(user):
        if assignment.role == Role.NATIONAL_ADMIN:
            return [UnitRef.nation()]
        if assignment.role == Role.PROVINCE_OFFICER and assignment.province_id:
            units.append(UnitRef.province(assignment.province_id))
        elif assignment.role == Role.COMMUNE_OFFICER and assignment.commune_id:
            commune = Commune.objects.filter(code=assignment.commune_id).first()
            if commune is not None:
                units.append(UnitRef.commune(commune))
    return sorted(set(units))


def unit_allowed(user: AbstractBaseUser | AnonymousUser, unit: UnitRef) -> bool:
    """Return whether the user may see and steer ``unit``."""
    return any(scope.contains(unit) for scope in units_for_user(user))


def unit_decides_for(user: AbstractBaseUser | AnonymousUser, unit: UnitRef) -> bool:
    """Return whether the user acts for the unit above ``unit`` (approves it)."""
    parent = unit.parent
    return parent is not None and unit_allowed(user, parent)


def unit_for_request(request: HttpRequest, slug: str) -> UnitRef:
    """Return the unit a page names, if the signed-in person may steer it.

    Unknown units are 404, units outside the person's scope 403 (a commune
    officer asking for another commune), so every programs view starts here.
    """
    try:
        unit = unit_parse(slug)
    except UnknownUnit:
        raise Http404(_("No such province or commune.")) from None
    if not unit_allowed(request.user, unit):
        raise PermissionDenied(_("You do not steer this unit."))
    return unit
