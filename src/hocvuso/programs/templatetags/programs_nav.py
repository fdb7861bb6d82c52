"""``{% programs_subnav_links %}`` and ``{% programs_menu_url %}``."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from hocvuso.programs.access import UnitRef, UnknownUnit, unit_parse
from hocvuso.programs.nav import NavLink, home_unit, subnav_links

register = template.Library()


def _unit(context: template.Context) -> UnitRef | None:
    unit = context.get("unit")
    if isinstance(unit, UnitRef):
        return unit
    if isinstance(unit, str) and unit:
        try:
            return unit_parse(unit)
        except UnknownUnit:
            return None
    request = context.get("request")
    return home_unit(request.user) if request is not None else None


@register.simple_tag(takes_context=True)
def programs_subnav_links(context: template.Context) -> list[NavLink]:
    """Return the programs sub-navigation for the page's unit (``unit``)."""
    unit = _unit(context)
    request: Any = context.get("request")
    if unit is None:
        return []
    return subnav_links(unit, request.path if request is not None else "")


@register.simple_tag(takes_context=True)
def programs_menu_url(context: template.Context) -> str:
    """Return the officer's dashboard link for the site menu ("" if none)."""
    request: Any = context.get("request")
    if request is None or home_unit(request.user) is None:
        return ""
    try:
        return reverse("programs:home")
    except NoReverseMatch:
        return ""
