"""Open data for provincial portals: CSV, Frictionless data package, DCAT-AP.

Stable URLs under ``/progress/data/``: ``indicators.csv`` (every unit × month
× indicator × group of a year, the same published — suppressed — figures as
the public pages), ``units.csv`` (the published unit list the indicators
point to), ``datapackage.json`` (a Frictionless Tabular Data Package: table
schemas, primary keys, the foreign key) and ``catalog.jsonld`` (a DCAT-AP
catalogue record). CSV files are UTF-8 with a BOM (so spreadsheet programs
read the diacritics) and streamed, province by province.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from hocvuso.geo.models import Commune, Province
from hocvuso.programs.access import UnitRef
from hocvuso.programs.figures import child_units, data_as_of, indicators_active
from hocvuso.programs.models import Indicator
from hocvuso.programs.public import PublicFigure, public_province, public_top
from hocvuso.programs.public_views import cacheable, period_parse

ALL = "all"  # the group column's value for everyone (a key may not be empty)
BOM = "\ufeff"

INDICATOR_FIELDS: list[dict[str, Any]] = [
    {
        "name": "unit_id",
        "type": "string",
        "title": "Unit",
        "constraints": {"required": True},
    },
    {
        "name": "period",
        "type": "yearmonth",
        "title": "Up to the end of month",
        "constraints": {"required": True},
    },
    {
        "name": "indicator",
        "type": "string",
        "title": "Indicator id",
        "constraints": {"required": True},
    },
    {
        "name": "group",
        "type": "string",
        "title": "Target group (all = everyone)",
        "constraints": {"required": True},
    },
    {
        "name": "level",
        "type": "string",
        "constraints": {"enum": ["nation", "province", "commune"]},
    },
    {"name": "count", "type": "number", "title": "People counted (empty: hidden)"},
    {
        "name": "value",
        "type": "number",
        "title": "Value: a percentage or the count (empty: hidden or no denominator)",
    },
    {
        "name": "unit_of_measure",
        "type": "string",
        "constraints": {"enum": ["percent", "people"]},
    },
    {"name": "target", "type": "number", "title": "Target for the year"},
    {
        "name": "suppressed",
        "type": "boolean",
        "title": "Hidden to protect small counts",
    },
    {
        "name": "status",
        "type": "string",
        "constraints": {"enum": ["approved", "provisional"]},
    },
]
UNIT_FIELDS: list[dict[str, Any]] = [
    {
        "name": "unit_id",
        "type": "string",
        "constraints": {"required": True, "unique": True},
    },
    {
        "name": "level",
        "type": "string",
        "constraints": {"enum": ["nation", "province", "commune"]},
    },
    {"name": "code", "type": "integer"},
    {"name": "name", "type": "string"},
    {"name": "parent_id", "type": "string"},
]


def _csv_line(row: Sequence[object]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(row)
    return buf.getvalue()


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}".rstrip("0")


def indicator_row(fig: PublicFigure) -> list[str]:
    """Return one CSV row of a published figure (in the INDICATOR_FIELDS order)."""
    return [
        fig.unit.slug,
        f"{fig.year:04d}-{fig.month:02d}",
        fig.indicator,
        fig.group or ALL,
        fig.unit.level,
        _num(fig.count),
        _num(fig.value if fig.percentage else fig.count),
        "percent" if fig.percentage else "people",
        _num(fig.target),
        "true" if fig.suppressed else "false",
        "provisional" if fig.provisional else "approved",
    ]


def last_month(year: int) -> int:
    today = timezone.localdate()
    if year < today.year:
        return 12
    return today.month if year == today.year else 0


def indicator_rows(
    year: int, months: Sequence[int], inds: Sequence[Indicator]
) -> Iterator[list[str]]:
    """Yield the published rows of every unit, month by month, province by province."""
    for month in months:
        top = public_top(year, month, inds)
        for fig in top.figures.values():
            yield indicator_row(fig)
        for province in child_units(UnitRef.nation()):
            table = public_province(province, year, month, top=top, indicators=inds)
            for key, fig in table.figures.items():
                if key[0] != province:
                    yield indicator_row(fig)


def _stream(lines: Iterator[str]) -> Iterator[bytes]:
    yield BOM.encode()
    for line in lines:
        yield line.encode("utf-8")


@require_GET
@cacheable
def indicators_csv(request: HttpRequest) -> HttpResponseBase:
    """Stream the published indicators of a year (``?year=``, default this one)."""
    period = period_parse(request)
    months = range(1, last_month(period.year) + 1)
    if "month" in request.GET:
        months = range(period.month, period.month + 1)
    inds = indicators_active()
    header = [f["name"] for f in INDICATOR_FIELDS]
    lines = (
        _csv_line(r)
        for r in _chain([header], indicator_rows(period.year, months, inds))
    )
    response = StreamingHttpResponse(
        _stream(lines), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'inline; filename="hocvuso-indicators-{period.year}.csv"'
    )
    return response


def _chain(*parts: Any) -> Iterator[list[str]]:
    for part in parts:
        yield from part


def unit_rows() -> Iterator[list[str]]:
    yield ["vn", "nation", "0", "Việt Nam", ""]
    for code, name in Province.objects.order_by("code").values_list("code", "name"):
        yield [f"p{code}", "province", str(code), name, "vn"]
    for code, name, prov in (
        Commune.objects.order_by("code")
        .values_list("code", "name", "province_id")
        .iterator(chunk_size=2000)
    ):
        yield [f"c{code}", "commune", str(code), name, f"p{prov}"]


@require_GET
@cacheable
def units_csv(request: HttpRequest) -> HttpResponseBase:
    """Stream the unit list (nation, provinces, communes) the indicators refer to."""
    header = [f["name"] for f in UNIT_FIELDS]
    lines = (_csv_line(r) for r in _chain([header], unit_rows()))
    response = StreamingHttpResponse(
        _stream(lines), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="hocvuso-units.csv"'
    return response


def _base(request: HttpRequest) -> str:
    return str(getattr(settings, "HOCVUSO_PUBLIC_URL", "")).rstrip("/") or (
        request.build_absolute_uri("/").rstrip("/")
    )


def datapackage_descriptor() -> dict[str, Any]:
    """Return the Frictionless Tabular Data Package descriptor (relative paths)."""
    as_of = data_as_of()
    csv_dialect = {"delimiter": ",", "header": True}
    return {
        "profile": "tabular-data-package",
        "name": "hocvuso-progress",
        "title": (
            "Bình dân học vụ số: tiến độ theo đơn vị / "
            "Digital Literacy for All: progress by unit"
        ),
        "description": (
            "Aggregated indicators of the digital-literacy movement per unit "
            "(nation, province, commune) and month. Counts below the threshold "
            "are hidden, with secondary suppression."
        ),
        "version": (as_of or timezone.now()).strftime("%Y.%m.%d.%H%M"),
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Creative Commons Attribution 4.0",
            }
        ],
        "resources": [
            {
                "name": "units",
                "path": "units.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": csv_dialect,
                "schema": {"fields": UNIT_FIELDS, "primaryKey": ["unit_id"]},
            },
            {
                "name": "indicators",
                "path": "indicators.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": csv_dialect,
                "schema": {
                    "fields": INDICATOR_FIELDS,
                    "missingValues": [""],
                    "primaryKey": ["unit_id", "period", "indicator", "group"],
                    "foreignKeys": [
                        {
                            "fields": "unit_id",
                            "reference": {"resource": "units", "fields": "unit_id"},
                        }
                    ],
                },
            },
        ],
    }


def _json(data: object, content_type: str) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type=content_type
    )


@require_GET
@cacheable
def datapackage(request: HttpRequest) -> HttpResponse:
    """Return ``datapackage.json`` (its resources sit next to it)."""
    return _json(datapackage_descriptor(), "application/json; charset=utf-8")


def catalogue_record(base: str) -> dict[str, Any]:
    """Return the DCAT-AP catalogue (JSON-LD) describing the open data."""
    data = f"{base}{reverse('progress:indicators_csv')}"
    units = f"{base}{reverse('progress:units_csv')}"
    package = f"{base}{reverse('progress:datapackage')}"
    as_of = data_as_of()
    modified = (as_of or timezone.now()).isoformat()
    publisher = {
        "@type": "foaf:Agent",
        "foaf:name": str(getattr(settings, "SITE_NAME", "hocvuso")),
    }
    licence = {
        "@id": "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
    }
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": f"{base}{reverse('progress:catalogue')}",
        "@type": "dcat:Catalog",
        "dct:title": [
            {"@value": "Bình dân học vụ số — dữ liệu mở", "@language": "vi"},
            {"@value": "Digital Literacy for All — open data", "@language": "en"},
        ],
        "dct:description": "Aggregated progress indicators per unit and month.",
        "dct:publisher": publisher,
        "dct:license": licence,
        "foaf:homepage": {"@id": f"{base}{reverse('progress:index')}"},
        "dcat:dataset": [
            {
                "@id": f"{base}{reverse('progress:datapackage')}#dataset",
                "@type": "dcat:Dataset",
                "dct:title": [
                    {
                        "@value": "Tiến độ phong trào theo đơn vị và tháng",
                        "@language": "vi",
                    },
                    {
                        "@value": "Movement progress by unit and month",
                        "@language": "en",
                    },
                ],
                "dct:description": (
                    "Indicators per nation, province and commune, month by month; "
                    "small counts suppressed."
                ),
                "dct:publisher": publisher,
                "dct:license": licence,
                "dct:modified": {"@value": modified, "@type": "xsd:dateTime"},
                "dct:spatial": {
                    "@id": "http://publications.europa.eu/resource/authority/country/VNM"
                },
                "dct:temporal": {
                    "@type": "dct:PeriodOfTime",
                    "dcat:startDate": {"@value": "2025-01-01", "@type": "xsd:date"},
                },
                "dct:accrualPeriodicity": {
                    "@id": "http://publications.europa.eu/resource/authority/frequency/DAILY"
                },
                "dcat:keyword": ["digital literacy", "Bình dân học vụ số", "progress"],
                "dcat:distribution": [
                    {
                        "@type": "dcat:Distribution",
                        "dct:title": "indicators.csv",
                        "dcat:accessURL": {"@id": data},
                        "dcat:downloadURL": {"@id": data},
                        "dcat:mediaType": "text/csv",
                        "dct:license": licence,
                        "dct:conformsTo": {"@id": package},
                    },
                    {
                        "@type": "dcat:Distribution",
                        "dct:title": "units.csv",
                        "dcat:accessURL": {"@id": units},
                        "dcat:downloadURL": {"@id": units},
                        "dcat:mediaType": "text/csv",
                        "dct:license": licence,
                    },
                    {
                        "@type": "dcat:Distribution",
                        "dct:title": "datapackage.json",
                        "dcat:accessURL": {"@id": package},
                        "dcat:mediaType": "application/json",
                        "dct:license": licence,
                    },
                ],
            }
        ],
    }


@require_GET
@cacheable
def catalogue(request: HttpRequest) -> HttpResponse:
    """Return the DCAT-AP catalogue record (JSON-LD)."""
    return _json(catalogue_record(_base(request)), "application/ld+json; charset=utf-8")
