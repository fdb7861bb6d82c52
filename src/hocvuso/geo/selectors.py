from __future__ import annotations

from django.db.models import QuerySet

from hocvuso.core.text import fold
from hocvuso.geo.models import Commune, Province


def province_list(*, q: str = "") -> QuerySet[Province]:
    """Return provinces in code order, optionally matching ``q`` (no diacritics)."""
    qs = Province.objects.all()
    if q.strip():
        qs = qs.filter(name_folded__contains=fold(q))
    return qs


def commune_list(*, province_code: int | None = None, q: str = "") -> QuerySet[Commune]:
    """Return communes with their province, filtered by province and ``q``.

    ``q`` is matched ignoring case and diacritics: ``"my an hung"`` finds
    "Xã Mỹ An Hưng".
    """
    qs = Commune.objects.select_related("province")
    if province_code is not None:
        qs = qs.filter(province_id=province_code)
    folded = fold(q)
    if folded:
        qs = qs.filter(name_folded__contains=folded)
    return qs.order_by("name_folded", "code")
