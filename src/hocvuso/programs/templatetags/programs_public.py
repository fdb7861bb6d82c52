"""Filters for the public pages: suppressed cells shown as "<5"."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from hocvuso.programs.public import PublicFigure

register = template.Library()


def _number(value: float, percentage: bool) -> str:
    if percentage:
        return f"{number_format(round(value, 1), 1)}\u00a0%"  # no break before %
    if float(value).is_integer():
        return number_format(int(value), 0, force_grouping=True)
    return number_format(round(value, 1), 1, force_grouping=True)


@register.filter
def pub_value(fig: PublicFigure) -> str:
    """Return the published value ("hidden" if suppressed; else value or count)."""
    if fig.suppressed:
        return _("hidden")
    if fig.percentage and fig.value is not None:
        return _number(fig.value, True)
    if fig.percentage:
        return _("%(n)s people (no denominator)") % {
            "n": _number(fig.count or 0, False)
        }
    return _number(fig.count or 0, False)


@register.filter
def pub_target(fig: PublicFigure) -> str:
    return "—" if fig.target is None else _number(fig.target, fig.percentage)


@register.simple_tag
def pub_query(period: object, lang: str) -> str:
    """Return the query string that keeps the period and language on a link."""
    params = {
        "year": getattr(period, "year", ""),
        "month": getattr(period, "month", ""),
    }
    if lang == "en":
        params["lang"] = "en"
    return urlencode(params)
