"""Counts the programs indicators read from results (see ``core.indicators``).

- ``assessment.passed``: people who have passed their group's standard
  assessment (at the group's level, ``Result.passed``), a stock counted at the
  person's first pass; per group (the group tested for) and in total (a person
  who passed in two groups counts once in the total).
- ``assessment.completed``: people who have finished a standard assessment
  (passed or not), a stock counted at their first result.

Communes are the learner's profile commune. Everything is aggregated in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from hocvuso.assessment.models import Result
from hocvuso.core.indicators import (
    Cell,
    Computation,
    Count,
    CountQuery,
    Kind,
    StockPart,
    stock_from_parts,
    touched_cells,
)

COMMUNE = "user__profile__commune"
GROUP = "target_group__slug"


def _first(qs: QuerySet[Result], *, per_group: bool) -> QuerySet[Result]:
    """Return each person's first row of ``qs`` (per group when asked)."""
    earlier = qs.filter(user=OuterRef("user")).filter(
        Q(created_at__lt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id"))
    )
    if per_group:
        earlier = earlier.filter(target_group=OuterRef("target_group"))
    return qs.exclude(Exists(earlier))


def _stock(
    rows: QuerySet[Result], query: CountQuery, *, history: bool = True
) -> list[Count]:
    return stock_from_parts(
        query=query,
        commune=COMMUNE,
        parts=[
            StockPart(_first(rows, per_group=True), "created_at", GROUP),
            StockPart(_first(rows, per_group=False), "created_at", None),
        ],
        base=history,
    )


def passed_count(query: CountQuery) -> list[Count]:
    """Return people who have passed, per commune × month end × group."""
    return _stock(Result.objects.filter(passed=True), query)


def passed_changes(query: CountQuery) -> list[Count]:
    """Return people who passed for the first time in each month."""
    return _stock(Result.objects.filter(passed=True), query, history=False)


def completed_count(query: CountQuery) -> list[Count]:
    """Return people who have completed a standard assessment."""
    return _stock(Result.objects.all(), query)


def completed_changes(query: CountQuery) -> list[Count]:
    """Return people who completed one for the first time in each month."""
    return _stock(Result.objects.all(), query, history=False)


def results_touched(since: datetime) -> Iterable[Cell]:
    """Return the cells of results recorded or changed since ``since``."""
    changed = Result.objects.filter(updated_at__gte=since)
    return touched_cells(changed, commune=COMMUNE, when="created_at")


COMPUTATIONS = [
    Computation(
        key="assessment.passed",
        label_vi="Người đạt bài đánh giá chuẩn của nhóm",
        label_en="People who passed their group's standard assessment",
        kind=Kind.STOCK,
        count=passed_count,
        touched=results_touched,
        changes=passed_changes,
    ),
    Computation(
        key="assessment.completed",
        label_vi="Người đã hoàn thành bài đánh giá chuẩn",
        label_en="People who completed the standard assessment",
        kind=Kind.STOCK,
        count=completed_count,
        touched=results_touched,
        changes=completed_changes,
    ),
]
