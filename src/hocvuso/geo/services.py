"""Load administrative units from the ``vietnam-provinces`` package."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from hocvuso.core.text import fold
from hocvuso.geo.models import Commune, Province

_PREFIXES = ("thành phố ", "tỉnh ", "phường ", "xã ", "đặc khu ")


def _short(name: str) -> str:
    lowered = name.lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            return name[len(prefix) :]
    return name


@dataclass(frozen=True)
class GeoLoadReport:
    provinces: int
    communes: int
    created: int
    updated: int


@transaction.atomic
def geo_units_load() -> GeoLoadReport:
    """Create or update every province and commune; idempotent.

    Units are keyed by their official codes; names and types are refreshed from
    the package data, nothing is deleted (people keep their commune).
    """
    from vietnam_provinces import Province as VnProvince
    from vietnam_provinces import Ward as VnWard

    created = updated = 0
    existing_p = {p.code: p for p in Province.objects.all()}
    provinces: dict[int, Province] = {}
    for src in VnProvince.iter_all():
        code = int(src.code)
        values = {
            "name": src.name,
            "short_name": _short(src.name),
            "name_folded": fold(src.name),
            "division_type": str(src.division_type.value),
            "codename": src.codename,
        }
        obj = existing_p.get(code)
        if obj is None:
            obj = Province.objects.create(code=code, **values)
            created += 1
        elif any(getattr(obj, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(obj, k, v)
            obj.save()
            updated += 1
        provinces[code] = obj

    existing_c = {c.code: c for c in Commune.objects.all()}
    to_create: list[Commune] = []
    to_update: list[Commune] = []
    fields = ["province_id", "name", "short_name", "name_folded", "division_type"]
    fields.append("codename")
    for ward in VnWard.iter_all():
        code = int(ward.code)
        ward_values: dict[str, object] = {
            "province_id": int(ward.province_code),
            "name": ward.name,
            "short_name": _short(ward.name),
            "name_folded": fold(ward.name),
            "division_type": str(ward.division_type.value),
            "codename": ward.codename,
        }
        commune = existing_c.get(code)
        if commune is None:
            to_create.append(Commune(code=code, **ward_values))
        elif any(getattr(commune, f) != x for f, x in ward_values.items()):
            for f, x in ward_values.items():
                setattr(commune, f, x)
            to_update.append(commune)
    Commune.objects.bulk_create(to_create, batch_size=500)
    Commune.objects.bulk_update(to_update, fields, batch_size=500)
    created += len(to_create)
    updated += len(to_update)
    return GeoLoadReport(
        provinces=Province.objects.count(),
        communes=Commune.objects.count(),
        created=created,
        updated=updated,
    )
