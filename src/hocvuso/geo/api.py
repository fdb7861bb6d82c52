from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from hocvuso.core.errors import NotFound
from hocvuso.geo.models import Commune, Province
from hocvuso.geo.schemas import CommuneOut, CommunePage, ProvinceOut
from hocvuso.geo.selectors import commune_list, province_list

router = Router()


class SearchIn(Schema):
    q: str = Field("", max_length=100, description="Name, with or without accents")


class CommuneSearchIn(SearchIn):
    province: int | None = Field(None, ge=1, description="Province code")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


def _no_province(code: int) -> NotFound:
    return NotFound(_("There is no province with code %(code)s.") % {"code": code})


def _commune_out(c: Commune) -> CommuneOut:
    return CommuneOut(
        code=c.code,
        name=c.name,
        short_name=c.short_name,
        division_type=c.division_type,
        province_code=c.province_id,
        province_name=c.province.name,
    )


@router.get("/provinces", response=list[ProvinceOut], summary="List the provinces")
def provinces(request: HttpRequest, filters: Query[SearchIn]) -> list[Province]:
    """The 34 provinces and centrally-run cities since 1 July 2025, by code. `q` keeps
    those whose name matches, with or without diacritics. No sign-in needed.

    Example: `GET /api/geo/provinces?q=dong thap` → `[{"code": 82, "name": "Tỉnh
    Đồng Tháp", …}]`
    """
    return list(province_list(q=filters.q))


@router.get("/provinces/{code}", response=ProvinceOut, summary="Get one province")
def province_detail(request: HttpRequest, code: int) -> Province:
    """One province by its official code; 404 for a code that does not exist. No
    sign-in needed.

    Example: `GET /api/geo/provinces/82`
    """
    province = Province.objects.filter(code=code).first()
    if province is None:
        raise _no_province(code)
    return province


@router.get(
    "/provinces/{code}/communes",
    response=list[CommuneOut],
    summary="List the communes of a province",
)
def province_communes(
    request: HttpRequest, code: int, filters: Query[SearchIn]
) -> list[CommuneOut]:
    """Every commune and ward of one province; `q` keeps those whose name matches, with
    or without diacritics. No sign-in needed.

    Example: `GET /api/geo/provinces/82/communes?q=my an`
    """
    if not Province.objects.filter(code=code).exists():
        raise _no_province(code)
    return [_commune_out(c) for c in commune_list(province_code=code, q=filters.q)]


@router.get("/communes", response=CommunePage, summary="Search communes nationwide")
def communes(request: HttpRequest, filters: Query[CommuneSearchIn]) -> CommunePage:
    """Communes and wards of the whole country whose name matches `q` (diacritics
    optional), optionally within one `province`; answered a page at a time (`limit`
    ≤ 500, `offset`) with the total in `count`. No sign-in needed.

    Example: `GET /api/geo/communes?q=my%20an%20hung&limit=5` → `{"count": 1,
    "items": [{"code": 30178, …}]}`
    """
    qs = commune_list(province_code=filters.province, q=filters.q)
    page = qs[filters.offset : filters.offset + filters.limit]
    return CommunePage(count=qs.count(), items=[_commune_out(c) for c in page])
