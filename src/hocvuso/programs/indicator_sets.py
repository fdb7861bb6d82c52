"""Load indicator definitions shipped as versioned data (YAML) into the database.

A file holds one :class:`~hocvuso.programs.models.IndicatorSet` (``id``,
``version``, title) and its indicators. Loading is idempotent: the same file
again changes nothing; a new version is created and becomes the active set
(older sets stay for the facts and targets recorded under them); a file that
changes a version already loaded is refused, so that figures published under
a version keep their meaning. Every numerator and denominator must name a
registered computation (``hocvuso.core.indicators``), ``manual`` or
``population``, and a stock must not be summed over months.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from hocvuso.core.errors import HocvusoError
from hocvuso.core.indicators import Kind, computations
from hocvuso.core.services import audit_record
from hocvuso.framework.models import TargetGroup
from hocvuso.programs.models import Aggregation, Indicator, IndicatorSet, UnitLevel

DEFAULT_INDICATORS_FILE = (
    Path(__file__).resolve().parent / "data" / "indicators-2025.yaml"
)


class IndicatorDataError(HocvusoError):
    """An indicator file is malformed or names something unknown."""

    status = 422


class IndicatorSetChanged(HocvusoError):
    """The file changes an indicator set version that is already loaded."""

    status = 409


@dataclass(frozen=True)
class IndicatorSetLoad:
    indicator_set: IndicatorSet
    created: bool
    activated: bool


def _text(value: object, where: str) -> tuple[str, str]:
    if not isinstance(value, dict) or not value.get("vi"):
        raise IndicatorDataError(f"{where}: expected {{vi: …, en: …}}")
    return str(value["vi"]), str(value.get("en") or value["vi"])


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise IndicatorDataError(f"{path.name}: cannot read: {exc}") from exc
    if not isinstance(data, dict):
        raise IndicatorDataError(f"{path.name}: expected a mapping at the top")
    return data


def _indicator(raw: object, where: str, known_groups: set[str] | None) -> Indicator:
    if not isinstance(raw, dict):
        raise IndicatorDataError(f"{where}: expected a mapping")
    code = str(raw.get("id") or "")
    if not code:
        raise IndicatorDataError(f"{where}: 'id' is required")
    where = f"{where} ({code})"
    name_vi, name_en = _text(raw.get("name"), f"{where}.name")
    desc = raw.get("description")
    desc_vi, desc_en = _text(desc, f"{where}.description") if desc else ("", "")
    comps = computations()
    numerator = str(raw.get("numerator") or "")
    if numerator != Indicator.MANUAL and numerator not in comps:
        raise IndicatorDataError(
            f"{where}.numerator: {numerator!r} is neither 'manual' nor a "
            f"computation ({', '.join(sorted(comps))})"
        )
    denominator = str(raw.get("denominator") or "")
    if denominator and denominator != Indicator.POPULATION and denominator not in comps:
        raise IndicatorDataError(
            f"{where}.denominator: {denominator!r} is neither 'population' nor a "
            "computation"
        )
    aggregation = str(raw.get("aggregation") or "")
    if aggregation not in Aggregation.values:
        raise IndicatorDataError(f"{where}.aggregation: expected 'sum' or 'last'")
    if (
        numerator in comps
        and comps[numerator].kind == Kind.STOCK
        and aggregation == Aggregation.SUM
    ):
        raise IndicatorDataError(
            f"{where}: {numerator} is a stock; summing it over months would count "
            "people twice (use aggregation: last)"
        )
    try:
        factor = int(raw.get("factor", 1))
    except (TypeError, ValueError):
        raise IndicatorDataError(f"{where}.factor: expected a whole number") from None
    groups = [str(g) for g in raw.get("groups") or []]
    unknown = [g for g in groups if known_groups is not None and g not in known_groups]
    if unknown:
        raise IndicatorDataError(f"{where}.groups: unknown {', '.join(unknown)}")
    levels = [str(v) for v in raw.get("unit_levels") or UnitLevel.values]
    if bad := [v for v in levels if v not in UnitLevel.values]:
        raise IndicatorDataError(f"{where}.unit_levels: unknown {', '.join(bad)}")
    return Indicator(
        code=code,
        name_vi=name_vi,
        name_en=name_en,
        description_vi=desc_vi,
        description_en=desc_en,
        numerator=numerator,
        denominator=denominator,
        factor=factor,
        aggregation=aggregation,
        target_groups=groups,
        unit_levels=levels,
    )


@transaction.atomic
def indicator_set_load(
    *, path: Path = DEFAULT_INDICATORS_FILE, activate: bool = True
) -> IndicatorSetLoad:
    """Load the indicator set in ``path`` and make it active; idempotent.

    ``activate`` False loads it without replacing the active set, unless no set
    is active (``hocvuso init`` keeps a newer set an operator loaded).

    Raises :class:`IndicatorDataError` for a malformed file and
    :class:`IndicatorSetChanged` when the file changes a loaded version.
    """
    data = _read(path)
    digest = hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    slug, version = str(data.get("id") or ""), str(data.get("version") or "")
    if not slug or not version:
        raise IndicatorDataError(f"{path.name}: 'id' and 'version' are required")
    title_vi, title_en = _text(data.get("title"), f"{path.name}: title")
    raws = data.get("indicators")
    if not isinstance(raws, list) or not raws:
        raise IndicatorDataError(f"{path.name}: 'indicators' must be a non-empty list")
    slugs = set(TargetGroup.objects.values_list("slug", flat=True))
    known = slugs or None
    built = [
        _indicator(raw, f"{path.name}: indicators[{i}]", known)
        for i, raw in enumerate(raws)
    ]
    codes = [ind.code for ind in built]
    if len(set(codes)) != len(codes):
        raise IndicatorDataError(f"{path.name}: an indicator id is used twice")

    existing = (
        IndicatorSet.objects.select_for_update()
        .filter(slug=slug, version=version)
        .first()
    )
    if existing is not None and existing.content_hash != digest:
        raise IndicatorSetChanged(
            f"{path.name}: indicator set {slug} {version} is already loaded with "
            "different content; publish the change under a new 'version' "
            "(figures and targets recorded under a version keep its meaning)."
        )
    created = existing is None
    if existing is None:
        existing = IndicatorSet.objects.create(
            slug=slug,
            version=version,
            title_vi=title_vi,
            title_en=title_en,
            source=str(data.get("source") or ""),
            content_hash=digest,
        )
        for order, ind in enumerate(built):
            ind.indicator_set = existing
            ind.order = order
        Indicator.objects.bulk_create(built)
    others = IndicatorSet.objects.filter(active=True).exclude(pk=existing.pk)
    activated = not existing.active and (activate or not others.exists())
    if activated:
        IndicatorSet.objects.filter(active=True).update(active=False)
        existing.active = True
        existing.save(update_fields=["active"])
        audit_record(
            actor=None,
            action="indicatorset.activate",
            obj=existing,
            after={"slug": slug, "version": version, "created": created},
        )
    return IndicatorSetLoad(
        indicator_set=existing, created=created, activated=activated
    )
