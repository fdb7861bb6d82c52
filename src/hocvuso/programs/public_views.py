"""Public progress pages and the embeddable widget (aggregates only).

These pages are cacheable by any shared cache: they never read the session
or the signed-in user, set no cookie (no CSRF token on the page), are not
``Vary: Cookie`` and say ``Cache-Control: public, max-age``. The language is
chosen by ``?lang=en`` (Vietnamese otherwise), not by a cookie, so the URL
alone decides what a cache stores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from csp.decorators import csp_replace
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from hocvuso.programs.access import UnitRef, UnknownUnit, unit_parse
from hocvuso.programs.dashboards import group_labels, indicator_name
from hocvuso.programs.figures import data_as_of, indicators_active, unit_names
from hocvuso.programs.models import Indicator, UnitLevel
from hocvuso.programs.public import PublicFigure, min_count, public_table

FIRST_YEAR = 2025


def max_age() -> int:
    return int(settings.HOCVUSO_PROGRESS_MAX_AGE)


class BadPeriod(ValueError):
    """The year or month asked for is not one the pages publish."""


@dataclass(frozen=True)
class Period:
    year: int
    month: int


def period_parse(request: HttpRequest) -> Period:
    """Return the year and month asked for (default: this month)."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
        month = int(request.GET.get("month") or today.month)
    except ValueError:
        raise BadPeriod from None
    if not FIRST_YEAR <= year <= today.year + 1 or not 1 <= month <= 12:
        raise BadPeriod
    return Period(year, month)


def public_language(request: HttpRequest) -> str:
    return "en" if request.GET.get("lang") == "en" else "vi"


def cacheable(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Answer in the URL's language, with public cache headers, 400 on bad input."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with translation.override(public_language(request)):
            try:
                response: HttpResponseBase = view(request, *args, **kwargs)
            except BadPeriod:
                response = HttpResponseBadRequest(
                    _("Choose a year from %(first)s and a month from 1 to 12.")
                    % {"first": FIRST_YEAR},
                    content_type="text/plain; charset=utf-8",
                )
                return response
        patch_cache_control(response, public=True, max_age=max_age())
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper


def _unit(slug: str) -> UnitRef:
    try:
        return unit_parse(slug)
    except UnknownUnit:
        raise Http404(_("No such province or commune.")) from None


@dataclass(frozen=True)
class PublicRow:
    label: str
    figure: PublicFigure


@dataclass(frozen=True)
class PublicBlock:
    indicator: Indicator
    name: str
    rows: list[PublicRow]


@dataclass(frozen=True)
class ChildRow:
    unit: UnitRef
    name: str
    figures: list[PublicFigure]


def public_context(unit: UnitRef, period: Period) -> dict[str, object]:
    """Return what a public page (or the widget) shows for ``unit``."""
    inds = indicators_active()
    table = public_table(unit, period.year, period.month, inds)
    labels = group_labels(sorted({g for i in inds for g in i.target_groups}))
    mine = {(f.indicator, f.group): f for f in table.of(unit)}
    blocks = [
        PublicBlock(
            ind,
            indicator_name(ind),
            [
                PublicRow(labels.get(g, g), mine[(ind.code, g)])
                for g in ["", *ind.target_groups]
                if (ind.code, g) in mine
            ],
        )
        for ind in inds
    ]
    children: list[ChildRow] = []
    if unit.level != UnitLevel.COMMUNE:
        kids = sorted(
            {u for (u, _i, _g) in table.figures if u.parent == unit},
        )
        names = unit_names([unit, *kids, *([unit.parent] if unit.parent else [])])
        children = [
            ChildRow(
                k,
                names.get(k, ""),
                [
                    table.figures[(k, i.code, "")]
                    for i in inds
                    if (k, i.code, "") in table.figures
                ],
            )
            for k in kids
        ]
        children.sort(key=lambda c: c.name)
    else:
        names = unit_names([unit, UnitRef.province(unit.province_code)])
    return {
        "unit": unit,
        "name": names.get(unit, ""),
        "parent": unit.parent,
        "parent_name": names.get(unit.parent, "") if unit.parent else "",
        "period": period,
        "blocks": blocks,
        "children": children,
        "indicators": inds,
        "indicator_names": [indicator_name(i) for i in inds],
        "threshold": min_count(),
        "as_of": data_as_of(),
        "lang": translation.get_language(),
    }


@require_GET
@cacheable
def unit_page(request: HttpRequest, unit: str = "vn") -> HttpResponse:
    """Show a unit's public progress (no personal data, small counts hidden)."""
    ref = _unit(unit)
    period = period_parse(request)
    html = render_to_string("programs/public/unit.html", public_context(ref, period))
    return HttpResponse(html)


@require_GET
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@cacheable
def widget(request: HttpRequest, unit: str) -> HttpResponse:
    """Show a small progress card that other sites may embed in an iframe."""
    ref = _unit(unit)
    period = period_parse(request)
    html = render_to_string("programs/public/widget.html", public_context(ref, period))
    return HttpResponse(html)
