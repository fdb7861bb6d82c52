"""What a dashboard shows, put together from the figures (a selector).

A dashboard is one unit's progress vs target per indicator and group, the
trend of one indicator over the months, and (for the nation and a province)
the ranking of the units below with the lagging ones marked. All numbers come
from :mod:`hocvuso.programs.figures`; a page costs a fixed number of queries
whatever the number of communes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hocvuso.framework.models import TargetGroup
from hocvuso.programs.access import UnitRef
from hocvuso.programs.charts import Bar, progress_bars, trend_chart
from hocvuso.programs.figures import (
    Figure,
    child_units,
    data_as_of,
    figures,
    indicators_active,
    trend_all,
    unit_names,
)
from hocvuso.programs.models import Indicator, UnitLevel


@dataclass(frozen=True)
class Filters:
    """The period, group, indicator and basis a dashboard is asked for."""

    year: int
    month: int
    group: str | None = None  # None: the total and every group
    indicator: str = ""  # the one ranked and drawn over the months
    approved_only: bool = False


@dataclass(frozen=True)
class Row:
    figure: Figure
    label: str


@dataclass(frozen=True)
class Block:
    """One indicator's figures for the unit, with the chart drawn from them."""

    indicator: Indicator
    name: str
    rows: list[Row]
    chart: SafeString

    @property
    def lagging(self) -> bool:
        return any(r.figure.lagging for r in self.rows)

    @property
    def needs_denominator(self) -> str:
        """Return the groups whose percentage lacks a denominator, comma-separated."""
        return ", ".join(r.label for r in self.rows if r.figure.needs_denominator)


@dataclass(frozen=True)
class Ranked:
    rank: int
    unit: UnitRef
    name: str
    figure: Figure


@dataclass(frozen=True)
class Crumb:
    unit: UnitRef
    name: str


@dataclass
class Dashboard:
    unit: UnitRef
    name: str
    filters: Filters
    crumbs: list[Crumb]
    blocks: list[Block]
    indicator: Indicator | None
    indicator_name: str
    group_label: str
    trend: list[Figure]
    trend_chart: SafeString
    ranking: list[Ranked]
    as_of: datetime | None
    groups: list[tuple[str, str]] = field(default_factory=list)
    indicators: list[tuple[str, str]] = field(default_factory=list)

    @property
    def lagging_count(self) -> int:
        return sum(1 for r in self.ranking if r.figure.lagging)

    @property
    def child_level(self) -> str:
        return UnitLevel.PROVINCE if self.unit.level == UnitLevel.NATION else "commune"


def indicator_name(ind: Indicator) -> str:
    lang = get_language() or "vi"
    return ind.name_en if lang.startswith("en") and ind.name_en else ind.name_vi


def group_labels(slugs: Sequence[str]) -> dict[str, str]:
    """Return each group's name in the active language ("" is everyone)."""
    names = {g.slug: g.name for g in TargetGroup.objects.filter(slug__in=list(slugs))}
    names[""] = _("Everyone")
    return {s: names.get(s, s) for s in ["", *slugs]}


def _crumbs(unit: UnitRef, names: dict[UnitRef, str]) -> list[Crumb]:
    chain: list[UnitRef] = []
    here: UnitRef | None = unit
    while here is not None:
        chain.append(here)
        here = here.parent
    return [Crumb(u, names.get(u, "")) for u in reversed(chain)]


def _bars(rows: Sequence[Row]) -> list[Bar]:
    return [
        Bar(
            label=r.label,
            value=r.figure.value,
            target=r.figure.target,
            expected=r.figure.expected,
            lagging=r.figure.lagging,
        )
        for r in rows
    ]


def _rank(figs: Sequence[Figure], names: dict[UnitRef, str]) -> list[Ranked]:
    ordered = sorted(
        figs,
        key=lambda f: (f.value is None, -(f.value or 0), names.get(f.unit, "")),
    )
    return [
        Ranked(rank=i, unit=f.unit, name=names.get(f.unit, ""), figure=f)
        for i, f in enumerate(ordered, start=1)
    ]


def dashboard_build(
    unit: UnitRef,
    filters: Filters,
    *,
    indicators: Sequence[Indicator] | None = None,
    labels: dict[str, str] | None = None,
) -> Dashboard:
    """Return the dashboard of ``unit`` for ``filters`` (scope checked by the view).

    ``indicators`` and ``labels`` (group names) may be given when the caller
    has already read them.
    """
    inds = list(indicators) if indicators is not None else indicators_active()
    chosen = next((i for i in inds if i.code == filters.indicator), None)
    if chosen is None and inds:
        chosen = inds[0]
    slugs = sorted({g for i in inds for g in i.target_groups})
    if labels is None:
        labels = group_labels(slugs)
    groups = None if filters.group is None else [filters.group]
    own = figures(
        units=[unit],
        year=filters.year,
        month=filters.month,
        indicators=inds,
        groups=groups,
        approved_only=filters.approved_only,
    )
    by_ind: dict[str, list[Row]] = {}
    for fig in own:
        by_ind.setdefault(fig.indicator, []).append(
            Row(fig, labels.get(fig.group, fig.group))
        )
    blocks = [
        Block(
            indicator=ind,
            name=indicator_name(ind),
            rows=by_ind[ind.code],
            chart=progress_bars(_bars(by_ind[ind.code]), percentage=ind.is_percentage),
        )
        for ind in inds
        if by_ind.get(ind.code)
    ]
    children = child_units(unit)
    chain = [c.unit for c in _crumbs(unit, {})]
    names = unit_names([*chain, *children])
    rank_group = filters.group or ""
    if chosen is not None and rank_group not in ["", *chosen.target_groups]:
        rank_group = ""
    ranking: list[Ranked] = []
    series: list[Figure] = []
    chart = SafeString("")
    if chosen is not None:
        if children:
            ranking = _rank(
                figures(
                    units=children,
                    year=filters.year,
                    month=filters.month,
                    indicators=[chosen],
                    groups=[rank_group],
                    approved_only=filters.approved_only,
                ),
                names,
            )
        series = trend_all(
            unit=unit,
            year=filters.year,
            month=filters.month,
            indicators=[chosen],
            groups=[rank_group],
            approved_only=filters.approved_only,
        ).get((chosen.code, rank_group), [])
        chart = trend_chart(
            [f.value for f in series],
            target=series[-1].target if series else None,
            percentage=chosen.is_percentage,
        )
    return Dashboard(
        unit=unit,
        name=names.get(unit, ""),
        filters=filters,
        crumbs=_crumbs(unit, names),
        blocks=blocks,
        indicator=chosen,
        indicator_name=indicator_name(chosen) if chosen else "",
        group_label=labels.get(rank_group, rank_group),
        trend=series,
        trend_chart=chart,
        ranking=ranking,
        as_of=data_as_of(),
        groups=[(s, labels[s]) for s in slugs],
        indicators=[(i.code, indicator_name(i)) for i in inds],
    )
