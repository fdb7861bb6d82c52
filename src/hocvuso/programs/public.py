"""Public progress: aggregates only, small counts suppressed (a selector).

The public pages, the open-data files and the progress API all read the
figures through :func:`public_province` / :func:`public_top`, so they agree.

Suppression (statistical disclosure control):

- primary: a count of 1 .. ``HOCVUSO_PROGRESS_MIN_COUNT`` − 1 people (default
  5) is hidden, with the percentage made from it (a known population would
  give the count back); zero is shown;
- secondary: wherever published cells add up to a published margin (a
  province's communes to the province, the provinces to the nation, and — to
  be safe, although a person may be in no group — a unit's groups to its
  total), a relation with exactly one hidden cell would let anyone work it
  out as the margin minus the others, so the smallest visible cell of that
  relation is hidden too (the margin itself when no other cell is left). This
  repeats until no relation has exactly one hidden cell.

Hiding only moves downwards (nation and provinces first, then the communes of
each province with the province's cells fixed), so a cell is hidden the same
way on every page and in every file that shows it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings

from hocvuso.programs.access import UnitRef
from hocvuso.programs.figures import Figure, child_units, figures, indicators_active
from hocvuso.programs.models import Indicator, UnitLevel

CellKey = tuple[UnitRef, str, str]  # unit, indicator, group


def min_count() -> int:
    return int(settings.HOCVUSO_PROGRESS_MIN_COUNT)


@dataclass(frozen=True)
class PublicFigure:
    """A figure as published: None where suppressed."""

    unit: UnitRef
    indicator: str
    group: str
    year: int
    month: int
    count: float | None
    value: float | None
    target: float | None
    suppressed: bool
    needs_denominator: bool
    provisional: bool
    percentage: bool

    @property
    def lagging(self) -> bool:
        if self.suppressed or self.value is None or self.target is None:
            return False
        return self.value < self.target * self.month / 12


def _primary(count: float, threshold: int) -> bool:
    return 0 < count < threshold


Relation = tuple[CellKey, list[CellKey], bool]  # margin, cells, margin may hide


def suppress(
    relations: Iterable[Relation],
    counts: dict[CellKey, float],
    hidden: set[CellKey],
    *,
    fixed: frozenset[CellKey] = frozenset(),
) -> set[CellKey]:
    """Return ``hidden`` grown until no relation has exactly one hidden cell.

    A relation is a margin, the cells that add up to it, and whether the
    margin itself may be hidden when no other cell is left (not for groups:
    a group is not its unit's total minus nothing). Cells in ``fixed``
    (decided on a wider page) are never hidden here. The cell chosen is the
    smallest visible one, so as little as possible is lost.
    """
    rels = [(m, list(cells), hideable) for m, cells, hideable in relations if cells]
    hidden = set(hidden)
    changed = True
    while changed:
        changed = False
        for margin, cells, hideable in rels:
            unknown = [c for c in [margin, *cells] if c in hidden]
            if len(unknown) != 1:
                continue
            visible = [c for c in cells if c not in hidden and c not in fixed]
            if visible:
                pick = min(visible, key=lambda c: (counts.get(c, 0.0), c))
            elif hideable and margin not in hidden and margin not in fixed:
                pick = margin
            else:
                continue
            hidden.add(pick)
            changed = True
    return hidden


def _group_relations(
    units: Sequence[UnitRef], inds: Sequence[Indicator]
) -> list[Relation]:
    return [
        ((u, ind.code, ""), [(u, ind.code, g) for g in ind.target_groups], False)
        for u in units
        for ind in inds
        if ind.target_groups
    ]


def _child_relations(
    parent: UnitRef, children: Sequence[UnitRef], inds: Sequence[Indicator]
) -> list[Relation]:
    return [
        ((parent, ind.code, g), [(c, ind.code, g) for c in children], True)
        for ind in inds
        for g in ["", *ind.target_groups]
    ]


@dataclass
class PublicTable:
    """Published figures of some units (one page's or one file's worth)."""

    figures: dict[CellKey, PublicFigure]
    hidden: frozenset[CellKey]

    def of(self, unit: UnitRef) -> list[PublicFigure]:
        return [f for (u, _i, _g), f in self.figures.items() if u == unit]


def _publish(
    figs: Sequence[Figure], inds: Sequence[Indicator], hidden: set[CellKey]
) -> dict[CellKey, PublicFigure]:
    pct = {i.code: i.is_percentage for i in inds}
    out: dict[CellKey, PublicFigure] = {}
    for f in figs:
        key = (f.unit, f.indicator, f.group)
        gone = key in hidden
        out[key] = PublicFigure(
            unit=f.unit,
            indicator=f.indicator,
            group=f.group,
            year=f.year,
            month=f.month,
            count=None if gone else f.numerator,
            value=None if gone or f.needs_denominator else f.value,
            target=f.target,
            suppressed=gone,
            needs_denominator=f.needs_denominator,
            provisional=f.provisional,
            percentage=pct.get(f.indicator, False),
        )
    return out


def public_top(
    year: int, month: int, indicators: Sequence[Indicator] | None = None
) -> PublicTable:
    """Return the nation's and every province's published figures."""
    inds = list(indicators) if indicators is not None else indicators_active()
    nation = UnitRef.nation()
    provinces = child_units(nation)
    figs = figures(units=[nation, *provinces], year=year, month=month, indicators=inds)
    counts = {(f.unit, f.indicator, f.group): f.numerator for f in figs}
    threshold = min_count()
    hidden = {k for k, v in counts.items() if _primary(v, threshold)}
    relations = [
        *_child_relations(nation, provinces, inds),
        *_group_relations([nation, *provinces], inds),
    ]
    hidden = suppress(relations, counts, hidden)
    return PublicTable(_publish(figs, inds, hidden), frozenset(hidden))


def public_province(
    province: UnitRef,
    year: int,
    month: int,
    *,
    top: PublicTable | None = None,
    indicators: Sequence[Indicator] | None = None,
) -> PublicTable:
    """Return a province's and its communes' published figures.

    The province's own cells are those of :func:`public_top` (``top``, read
    if not given), so a province reads the same on the national page.
    """
    inds = list(indicators) if indicators is not None else indicators_active()
    if top is None:
        top = public_top(year, month, inds)
    communes = child_units(province)
    figs = figures(units=communes, year=year, month=month, indicators=inds)
    counts = {(f.unit, f.indicator, f.group): f.numerator for f in figs}
    own = {k: f for k, f in top.figures.items() if k[0] == province}
    for key, pub in own.items():
        counts[key] = pub.count if pub.count is not None else 0.0
    fixed = frozenset(own)
    threshold = min_count()
    hidden = {k for k, v in counts.items() if k not in fixed and _primary(v, threshold)}
    hidden |= {k for k in fixed if k in top.hidden}
    relations = [
        *_child_relations(province, communes, inds),
        *_group_relations(communes, inds),
    ]
    hidden = suppress(relations, counts, hidden, fixed=fixed)
    published = _publish(figs, inds, hidden)
    published.update(own)
    return PublicTable(published, frozenset(hidden))


def public_table(
    unit: UnitRef, year: int, month: int, indicators: Sequence[Indicator]
) -> PublicTable:
    """Return what ``unit``'s public page shows: itself and the units below."""
    top = public_top(year, month, indicators)
    if unit.level == UnitLevel.NATION:
        return top
    province = UnitRef.province(unit.province_code)
    return public_province(province, year, month, top=top, indicators=indicators)


def by_indicator(
    rows: Iterable[PublicFigure],
) -> dict[str, list[PublicFigure]]:
    out: dict[str, list[PublicFigure]] = defaultdict(list)
    for row in rows:
        out[row.indicator].append(row)
    return out
