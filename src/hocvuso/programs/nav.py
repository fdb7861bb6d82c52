"""The programs sub-navigation and the site menu's entry for officers.

The links are built from a list of URL names; a name that does not resolve
(an area not installed yet) is skipped, so every programs page can show the
same menu whatever parts of the app exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hocvuso.programs.access import UnitRef, units_for_user

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

SUBNAV: list[tuple[str, Promise]] = [
    ("programs:dashboard", _("Dashboard")),
    ("programs:targets", _("Targets")),
    ("programs:population", _("Population")),
    ("programs:manual_home", _("Manual values")),
    ("programs:approval", _("Approval")),
    ("programs:reports", _("Reports")),
    ("programs:tasks", _("Tasks")),
    ("programs:tasks_mine", _("My tasks")),
    ("programs:inspections", _("Inspections")),
    ("programs:notifications", _("Notifications")),
    ("progress:unit", _("Public page")),
]


@dataclass(frozen=True)
class NavLink:
    url: str
    label: str
    current: bool


def _reverse(name: str, slug: str) -> str | None:
    for kwargs in ({"unit": slug}, {}):
        try:
            return reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            continue
    return None


def subnav_links(unit: UnitRef, path: str) -> list[NavLink]:
    """Return the sub-navigation of ``unit``'s pages (names that resolve)."""
    links: list[NavLink] = []
    for name, label in SUBNAV:
        url = _reverse(name, unit.slug)
        if url is not None:
            links.append(NavLink(url, str(label), path.startswith(url)))
    return links


def home_unit(user: AbstractBaseUser | AnonymousUser) -> UnitRef | None:
    """Return the widest unit the user steers (None: not an officer)."""
    units = units_for_user(user)
    return units[0] if units else None
