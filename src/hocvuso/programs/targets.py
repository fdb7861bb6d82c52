"""Targets and population denominators: who sets them, writes, and reads.

A target is a value per unit × year × indicator × group; a population is a
count per unit × year × group. Who may set a unit's targets is configured by
``HOCVUSO_TARGETS_SET_BY``: ``above`` (officers of the unit above), ``self``
(the unit's own officers) or ``both`` (the default). Populations follow the
same rule. Every change is audited with the value before and after; setting
the value a cell already has writes nothing (an import run twice changes
nothing).

Two officers creating the same cell at once: the unique constraint (on
PostgreSQL) refuses the second insert and the service then updates the row
the first one created, so neither sees an error. SQLite runs write
transactions one at a time (``BEGIN IMMEDIATE``), so the check before the
insert suffices there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hocvuso.accounts.models import User
from hocvuso.core.services import audit_record
from hocvuso.framework.models import TargetGroup
from hocvuso.programs.access import UnitRef, unit_allowed, units_for_user
from hocvuso.programs.models import (
    ALL_GROUPS,
    Indicator,
    IndicatorSet,
    Population,
    Target,
    UnitLevel,
)
from hocvuso.programs.target_errors import SteerInvalid, SteerNotAllowed

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Actor = User | AnonymousUser

SET_BY_CHOICES = ("above", "self", "both")
YEAR_MIN, YEAR_MAX = 2020, 2100
MAX_VALUE = Decimal("999999999999")


# ---------------------------------------------------------------- permissions


def targets_set_by() -> str:
    """Return the configured rule (``above``, ``self`` or ``both``)."""
    mode = str(getattr(settings, "HOCVUSO_TARGETS_SET_BY", "both")).strip().lower()
    return mode if mode in SET_BY_CHOICES else "both"


def target_may_set(user: Actor, unit: UnitRef) -> bool:
    """Return whether ``user`` may set ``unit``'s targets and populations."""
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_superuser", False):
        return True
    mode = targets_set_by()
    if mode == "both":
        return unit_allowed(user, unit)
    if mode == "self":
        return unit in units_for_user(user)
    parent = unit.parent
    if parent is None:  # the nation's own targets: its administrators
        return unit in units_for_user(user)
    return unit_allowed(user, parent)


def _require_set(user: Actor, unit: UnitRef) -> None:
    if not target_may_set(user, unit):
        raise SteerNotAllowed(_("You may not set the targets of this unit."))


# ---------------------------------------------------------------- indicators


def indicators_for_level(level: str) -> list[Indicator]:
    """Return the active indicators shown at ``level`` (all levels if unset)."""
    current = IndicatorSet.objects.filter(active=True).first()
    if current is None:
        return []
    return [
        ind
        for ind in current.indicators.all()
        if not ind.unit_levels or level in ind.unit_levels
    ]


def indicator_label(ind: Indicator) -> str:
    lang = get_language() or "vi"
    return ind.name_en if lang.startswith("en") and ind.name_en else ind.name_vi


def group_labels() -> dict[str, str]:
    """Return the display name of every group slug (the total included)."""
    labels = {g.slug: g.name for g in TargetGroup.objects.all()}
    labels[ALL_GROUPS] = _("All groups")
    return labels


def population_groups() -> list[str]:
    """Return the groups a population may be given for (the total first)."""
    groups = list(TargetGroup.objects.values_list("slug", flat=True))
    for ind in indicators_for_level(UnitLevel.COMMUNE) + indicators_for_level(
        UnitLevel.PROVINCE
    ):
        groups.extend(g for g in ind.target_groups if g not in groups)
    return [ALL_GROUPS, *groups]


def _indicator(code: str, level: str) -> Indicator:
    for ind in indicators_for_level(level):
        if ind.code == code:
            return ind
    raise SteerInvalid(_("Unknown indicator: %(code)s.") % {"code": code or "—"})


def _check_group(ind: Indicator, group: str) -> None:
    if group != ALL_GROUPS and group not in ind.target_groups:
        raise SteerInvalid(
            _("The indicator %(code)s has no target group %(group)s.")
            % {"code": ind.code, "group": group}
        )


def _check_year(year: int) -> None:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise SteerInvalid(
            _("The year must be between %(min)d and %(max)d.")
            % {"min": YEAR_MIN, "max": YEAR_MAX}
        )


def parse_number(raw: object) -> Decimal:
    """Return ``raw`` as a Decimal (a comma as decimal mark is accepted)."""
    if isinstance(raw, bool):
        raise SteerInvalid(_("Not a number."))
    if isinstance(raw, int | float | Decimal):
        text = str(raw)
    else:
        text = str(raw).strip().replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise SteerInvalid(_("Not a number.")) from None
    if not value.is_finite():
        raise SteerInvalid(_("Not a number."))
    return value


def target_value_check(ind: Indicator, value: Decimal) -> Decimal:
    """Return ``value`` rounded to cents, or raise why it cannot be a target."""
    if value < 0:
        raise SteerInvalid(_("A target cannot be negative."))
    if ind.is_percentage and value > 100:
        raise SteerInvalid(_("A percentage cannot be over 100."))
    if value > MAX_VALUE:
        raise SteerInvalid(_("The number is too large."))
    return value.quantize(Decimal("0.01"))


def population_value_check(value: Decimal) -> int:
    """Return ``value`` as a head count, or raise why it cannot be one."""
    if value < 0:
        raise SteerInvalid(_("A population cannot be negative."))
    if value != value.to_integral_value():
        raise SteerInvalid(_("A population is a whole number of people."))
    if value > 2_000_000_000:
        raise SteerInvalid(_("The number is too large."))
    return int(value)


def unit_fields(unit: UnitRef) -> dict[str, int | None]:
    """Return the ``province_id``/``commune_id`` a row of ``unit`` stores."""
    return {
        "province_id": unit.province_code or None,
        "commune_id": unit.commune_code or None,
    }


def _unit_filter(unit: UnitRef) -> dict[str, object]:
    if unit.level == UnitLevel.COMMUNE:
        return {"commune_id": unit.commune_code}
    if unit.level == UnitLevel.PROVINCE:
        return {"province_id": unit.province_code, "commune__isnull": True}
    return {"province__isnull": True}


# ---------------------------------------------------------------- writes


@dataclass(frozen=True)
class CellChange:
    """What a write did: ``created`` a row, ``changed`` its value, or neither."""

    pk: str
    value: Decimal | int
    created: bool
    changed: bool


def _existing(
    model: type[Target] | type[Population], lookup: dict[str, object]
) -> Target | Population | None:
    """Return the cell's row, locked until the transaction ends (None: no row)."""
    return model.objects.select_for_update().filter(**lookup).first()


def _upsert(
    model: type[Target] | type[Population],
    *,
    actor: Actor,
    unit: UnitRef,
    key: dict[str, object],
    value: Decimal | int,
    extra: dict[str, object],
    action: str,
) -> CellChange:
    """Create or update one cell (inside the caller's transaction)."""
    lookup = {**key, **_unit_filter(unit)}
    user = actor if isinstance(actor, User) else None
    row = _existing(model, lookup)
    created = False
    if row is None:
        fresh = model(**key, **unit_fields(unit), set_by=user, **extra)
        fresh.value = value
        try:
            with transaction.atomic():
                fresh.save(force_insert=True)
            row, created = fresh, True
        except IntegrityError:
            # Another officer created the cell meanwhile: update theirs.
            row = model.objects.select_for_update().get(**lookup)
    assert row is not None
    described = {k: v for k, v in key.items()} | {"unit": unit.slug}
    if created:
        audit_record(
            actor=actor,
            action=action,
            obj=row,
            before=None,
            after={**described, "value": str(value)},
        )
        return CellChange(pk=str(row.pk), value=value, created=True, changed=True)
    if row.value == value:
        return CellChange(pk=str(row.pk), value=row.value, created=False, changed=False)
    before = str(row.value)
    row.value = value
    row.set_by = user
    fields = ["value", "set_by", "updated_at"]
    for name, v in extra.items():
        setattr(row, name, v)
        fields.append(name)
    row.save(update_fields=fields)
    audit_record(
        actor=actor,
        action=action,
        obj=row,
        before={**described, "value": before},
        after={**described, "value": str(value)},
    )
    return CellChange(pk=str(row.pk), value=value, created=False, changed=True)


def target_set_checked(
    *,
    actor: Actor,
    unit: UnitRef,
    year: int,
    ind: Indicator,
    group: str,
    value: Decimal,
) -> CellChange:
    """Write a target already validated (the caller holds the transaction)."""
    return _upsert(
        Target,
        actor=actor,
        unit=unit,
        key={"year": year, "indicator": ind.code, "group": group},
        value=value,
        extra={},
        action="programs.target.set",
    )


@transaction.atomic
def target_set(
    *,
    actor: Actor,
    unit: UnitRef,
    year: int,
    indicator: str,
    group: str,
    value: object,
) -> CellChange:
    """Set ``unit``'s target for ``indicator`` × ``group`` in ``year``.

    Idempotent: the same value again writes nothing. Raises ``SteerNotAllowed``
    outside the actor's units and ``SteerInvalid`` for an unknown indicator or
    group, a negative number or a percentage over 100.
    """
    _require_set(actor, unit)
    _check_year(year)
    ind = _indicator(indicator, unit.level)
    _check_group(ind, group)
    checked = target_value_check(ind, parse_number(value))
    return target_set_checked(
        actor=actor, unit=unit, year=year, ind=ind, group=group, value=checked
    )


def population_set_checked(
    *,
    actor: Actor,
    unit: UnitRef,
    year: int,
    group: str,
    value: int,
    source: str = "",
) -> CellChange:
    """Write a population already validated (the caller holds the transaction)."""
    return _upsert(
        Population,
        actor=actor,
        unit=unit,
        key={"year": year, "group": group},
        value=value,
        extra={"source": source[:200]} if source else {},
        action="programs.population.set",
    )


@transaction.atomic
def population_set(
    *,
    actor: Actor,
    unit: UnitRef,
    year: int,
    group: str,
    value: object,
    source: str = "",
) -> CellChange:
    """Set how many people of ``group`` live in ``unit`` in ``year``."""
    _require_set(actor, unit)
    _check_year(year)
    if group not in population_groups():
        raise SteerInvalid(_("Unknown target group: %(group)s.") % {"group": group})
    count = population_value_check(parse_number(value))
    return population_set_checked(
        actor=actor, unit=unit, year=year, group=group, value=count, source=source
    )


# ---------------------------------------------------------------- reads


@dataclass(frozen=True)
class TargetRow:
    """One indicator × group of a unit: its own target beside its communes' sum.

    ``communes_sum`` is None for a commune (or when no commune has a target);
    ``disagrees`` says the province's own target differs from that sum
    (targets of a province are not the sum of its communes' by default).
    """

    indicator: str
    indicator_label: str
    group: str
    group_label: str
    is_percentage: bool
    own: Decimal | None
    communes_sum: Decimal | None
    communes_set: int
    communes_total: int

    @property
    def disagrees(self) -> bool:
        return (
            self.own is not None
            and self.communes_sum is not None
            and not self.is_percentage
            and self.own != self.communes_sum
        )

    @property
    def key(self) -> str:
        return f"{self.indicator}:{self.group}" if self.group else self.indicator


def target_rows(*, unit: UnitRef, year: int) -> list[TargetRow]:
    """Return every indicator × group of ``unit`` with its target(s) in ``year``.

    For a province (or the nation) each row also carries the sum of its
    children's targets, so the page can show both when they disagree. A
    percentage's children are not summed (a sum of rates means nothing): the
    row shows how many children have one. Three queries.
    """
    inds = indicators_for_level(unit.level)
    labels = group_labels()
    own = {
        (ind, grp): value
        for ind, grp, value in Target.objects.filter(
            year=year, **_unit_filter(unit)
        ).values_list("indicator", "group", "value")
    }
    sums: dict[tuple[str, str], tuple[Decimal, int]] = {}
    children_total = 0
    if unit.level != UnitLevel.COMMUNE:
        from hocvuso.geo.models import Commune, Province

        if unit.level == UnitLevel.PROVINCE:
            child_qs = Target.objects.filter(
                year=year, province_id=unit.province_code, commune__isnull=False
            )
            children_total = Commune.objects.filter(
                province_id=unit.province_code
            ).count()
        else:
            child_qs = Target.objects.filter(
                year=year, province__isnull=False, commune__isnull=True
            )
            children_total = Province.objects.count()
        for ind_code, grp, total, n in (
            child_qs.values_list("indicator", "group")
            .annotate(total=Sum("value"), n=Count("id"))
            .values_list("indicator", "group", "total", "n")
        ):
            sums[(ind_code, grp)] = (Decimal(total or 0), int(n))
    rows: list[TargetRow] = []
    for ind in inds:
        for grp in [ALL_GROUPS, *ind.target_groups]:
            total, n = sums.get((ind.code, grp), (Decimal(0), 0))
            rows.append(
                TargetRow(
                    indicator=ind.code,
                    indicator_label=indicator_label(ind),
                    group=grp,
                    group_label=labels.get(grp, grp),
                    is_percentage=ind.is_percentage,
                    own=own.get((ind.code, grp)),
                    communes_sum=total if n and not ind.is_percentage else None,
                    communes_set=n,
                    communes_total=children_total,
                )
            )
    return rows


def target_disagreements(*, unit: UnitRef, year: int) -> list[TargetRow]:
    """Return the rows where a province's own target differs from its communes'."""
    return [row for row in target_rows(unit=unit, year=year) if row.disagrees]


@dataclass(frozen=True)
class PopulationRow:
    group: str
    group_label: str
    own: int | None
    communes_sum: int | None


def population_rows(*, unit: UnitRef, year: int) -> list[PopulationRow]:
    """Return the unit's population per group, beside its children's sum."""
    labels = group_labels()
    own = dict(
        Population.objects.filter(year=year, **_unit_filter(unit)).values_list(
            "group", "value"
        )
    )
    sums: dict[str, int] = defaultdict(int)
    if unit.level == UnitLevel.PROVINCE:
        qs = Population.objects.filter(
            year=year, province_id=unit.province_code, commune__isnull=False
        )
    elif unit.level == UnitLevel.NATION:
        qs = Population.objects.filter(
            year=year, province__isnull=False, commune__isnull=False
        )
    else:
        qs = Population.objects.none()
    for grp, total in (
        qs.values_list("group")
        .annotate(total=Sum("value"))
        .values_list("group", "total")
    ):
        sums[grp] = int(total or 0)
    return [
        PopulationRow(
            group=grp,
            group_label=labels.get(grp, grp),
            own=own.get(grp),
            communes_sum=sums.get(grp),
        )
        for grp in population_groups()
    ]


@dataclass
class FormSave:
    """What a page's form saved, or why not (``errors`` by field key)."""

    changed: int = 0
    errors: dict[str, str] | None = None


def targets_form_save(
    *, actor: Actor, unit: UnitRef, year: int, values: dict[str, str]
) -> FormSave:
    """Save a unit's targets from a page's form: all fields, or none on an error.

    ``values`` maps ``<indicator>`` / ``<indicator>:<group>`` to the text
    typed; an empty field leaves the stored target as it is.
    """
    _require_set(actor, unit)
    _check_year(year)
    inds = {ind.code: ind for ind in indicators_for_level(unit.level)}
    checked: list[tuple[Indicator, str, Decimal]] = []
    errors: dict[str, str] = {}
    for key, raw in values.items():
        if not raw.strip():
            continue
        code, _sep, group = key.partition(":")
        ind = inds.get(code)
        try:
            if ind is None:
                raise SteerInvalid(_("Unknown indicator: %(code)s.") % {"code": code})
            _check_group(ind, group)
            checked.append((ind, group, target_value_check(ind, parse_number(raw))))
        except SteerInvalid as exc:
            errors[key] = exc.message
    if errors:
        return FormSave(errors=errors)
    out = FormSave()
    with transaction.atomic():
        for ind, group, value in checked:
            change = target_set_checked(
                actor=actor, unit=unit, year=year, ind=ind, group=group, value=value
            )
            out.changed += int(change.changed)
    return out


def population_form_save(
    *, actor: Actor, unit: UnitRef, year: int, values: dict[str, str]
) -> FormSave:
    """Save a unit's populations from a page's form (keys: group slugs, ``total``)."""
    _require_set(actor, unit)
    _check_year(year)
    groups = population_groups()
    checked: list[tuple[str, int]] = []
    errors: dict[str, str] = {}
    for key, raw in values.items():
        if not raw.strip():
            continue
        group = "" if key == "total" else key
        try:
            if group not in groups:
                raise SteerInvalid(
                    _("Unknown target group: %(group)s.") % {"group": key}
                )
            checked.append((group, population_value_check(parse_number(raw))))
        except SteerInvalid as exc:
            errors[key] = exc.message
    if errors:
        return FormSave(errors=errors)
    out = FormSave()
    with transaction.atomic():
        for group, count in checked:
            change = population_set_checked(
                actor=actor, unit=unit, year=year, group=group, value=count
            )
            out.changed += int(change.changed)
    return out
