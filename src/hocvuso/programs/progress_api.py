"""The read-only progress API (``/api/progress/``) for portals and apps.

Public, aggregates only: the same published (suppressed) figures as the
public pages and the open data. Answers carry CORS (any origin may read) and
``Cache-Control: public, max-age``; no session or cookie is read.
"""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from hocvuso.programs.access import UnitRef, UnknownUnit, unit_parse
from hocvuso.programs.dashboards import indicator_name
from hocvuso.programs.figures import data_as_of, indicators_active, unit_names
from hocvuso.programs.models import UnitLevel
from hocvuso.programs.public import PublicFigure, public_table
from hocvuso.programs.public_views import FIRST_YEAR, max_age

router = Router()


class PeriodIn(Schema):
    year: int | None = None
    month: int | None = None


class FigureOut(Schema):
    indicator: str
    group: str
    count: float | None
    value: float | None
    unit_of_measure: str
    target: float | None
    suppressed: bool
    status: str


class ChildOut(Schema):
    unit: str
    name: str
    figures: list[FigureOut]


class IndicatorOut(Schema):
    id: str
    name: str
    unit_of_measure: str
    groups: list[str]


class ProgressOut(Schema):
    unit: str
    level: str
    name: str
    year: int
    month: int
    data_as_of: datetime | None
    indicators: list[IndicatorOut]
    figures: list[FigureOut]
    children: list[ChildOut]


def _out(fig: PublicFigure) -> FigureOut:
    return FigureOut(
        indicator=fig.indicator,
        group=fig.group or "all",
        count=fig.count,
        value=fig.value if fig.percentage else fig.count,
        unit_of_measure="percent" if fig.percentage else "people",
        target=fig.target,
        suppressed=fig.suppressed,
        status="provisional" if fig.provisional else "approved",
    )


def _headers(response: HttpResponse) -> None:
    patch_cache_control(response, public=True, max_age=max_age())
    response["Access-Control-Allow-Origin"] = "*"


@router.get("/{unit}", response=ProgressOut, summary="A unit's published progress")
def progress_unit(
    request: HttpRequest,
    response: HttpResponse,
    unit: str,
    period: Query[PeriodIn],
) -> ProgressOut:
    """A unit's published progress (`vn`, `p<code>` or `c<code>`): each indicator
    and group with its value, target and percentage, and the same for its
    provinces or communes. Aggregates only; small counts are hidden. No
    sign-in; CORS open and cacheable, for provincial portals and apps.

    Example: `GET /api/progress/p82?year=2026`
    """
    try:
        ref = unit_parse(unit)
    except UnknownUnit:
        raise Http404(_("No such province or commune.")) from None
    today = timezone.localdate()
    year = period.year or today.year
    month = period.month or today.month
    if not FIRST_YEAR <= year <= today.year + 1 or not 1 <= month <= 12:
        raise HttpError(
            400,
            _("Choose a year from %(first)s and a month from 1 to 12.")
            % {"first": FIRST_YEAR},
        )
    inds = indicators_active()
    table = public_table(ref, year, month, inds)
    kids: list[UnitRef] = []
    if ref.level != UnitLevel.COMMUNE:
        kids = sorted({u for (u, _i, _g) in table.figures if u.parent == ref})
    names = unit_names([ref, *kids])
    _headers(response)
    return ProgressOut(
        unit=ref.slug,
        level=ref.level,
        name=names.get(ref, ""),
        year=year,
        month=month,
        data_as_of=data_as_of(),
        indicators=[
            IndicatorOut(
                id=i.code,
                name=indicator_name(i),
                unit_of_measure="percent" if i.is_percentage else "people",
                groups=["all", *i.target_groups],
            )
            for i in inds
        ],
        figures=[_out(f) for f in table.of(ref)],
        children=[
            ChildOut(
                unit=k.slug,
                name=names.get(k, ""),
                figures=[_out(f) for f in table.of(k) if f.group == ""],
            )
            for k in kids
        ],
    )
