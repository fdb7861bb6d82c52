"""Counts the programs indicators read from lesson progress (``core.indicators``).

- ``learning.lessons_completed``: lessons completed in the month (a flow), per
  the learner's profile group.
- ``learning.traceability_trained``: people who have completed a lesson on
  traceability or growing-area codes (:data:`TRACEABILITY_LESSONS`), a stock
  counted at their first such lesson.

Communes are the learner's profile commune. Everything is aggregated in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from hocvuso.core.indicators import (
    Cell,
    Computation,
    Count,
    CountQuery,
    Kind,
    StockPart,
    flow_counts,
    stock_from_parts,
    touched_cells,
)
from hocvuso.learning.models import LessonProgress

COMMUNE = "user__profile__commune"
GROUP = "user__profile__target_group__slug"
#: Lessons of the default pack that train traceability and growing-area codes.
TRACEABILITY_LESSONS = ("farmers-traceability-qr", "farmers-growing-area-codes")


def _completed() -> QuerySet[LessonProgress]:
    return LessonProgress.objects.filter(completed_at__isnull=False)


def lessons_completed_count(query: CountQuery) -> list[Count]:
    """Return lessons completed per commune × month × group."""
    return flow_counts(
        _completed(), query=query, commune=COMMUNE, when="completed_at", group=GROUP
    )


def traceability_count(query: CountQuery, *, history: bool = True) -> list[Count]:
    """Return people trained in traceability at each month's end."""
    trained = _completed().filter(lesson__slug__in=TRACEABILITY_LESSONS)
    earlier = trained.filter(user=OuterRef("user")).filter(
        Q(completed_at__lt=OuterRef("completed_at"))
        | Q(completed_at=OuterRef("completed_at"), id__lt=OuterRef("id"))
    )
    first = trained.exclude(Exists(earlier))
    return stock_from_parts(
        query=query,
        commune=COMMUNE,
        parts=[
            StockPart(first, "completed_at", GROUP),
            StockPart(first, "completed_at", None),
        ],
        base=history,
    )


def traceability_changes(query: CountQuery) -> list[Count]:
    """Return people trained in traceability for the first time in each month."""
    return traceability_count(query, history=False)


def progress_touched(since: datetime) -> Iterable[Cell]:
    """Return the cells of lessons completed since ``since``."""
    changed = _completed().filter(updated_at__gte=since)
    return touched_cells(changed, commune=COMMUNE, when="completed_at")


COMPUTATIONS = [
    Computation(
        key="learning.lessons_completed",
        label_vi="Bài học đã hoàn thành",
        label_en="Lessons completed",
        kind=Kind.FLOW,
        count=lessons_completed_count,
        touched=progress_touched,
    ),
    Computation(
        key="learning.traceability_trained",
        label_vi="Người đã học truy xuất nguồn gốc, mã số vùng trồng",
        label_en="People trained in traceability and growing-area codes",
        kind=Kind.STOCK,
        count=traceability_count,
        touched=progress_touched,
        changes=traceability_changes,
    ),
]
