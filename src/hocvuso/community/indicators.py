"""Counts the programs indicators read from visits and events (``core.indicators``).

- ``community.people_reached``: people helped in household visits in the
  month (the sum of ``Visit.people_helped``, at the visit's commune and date);
  no group breakdown (visited people have no account).
- ``community.visits``: household visits in the month.
- ``community.event_attendance``: check-ins at events in the month, at the
  event's commune, per the attendee's profile group.

Everything is aggregated in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, Sum

from hocvuso.community.models import Attendance, Visit
from hocvuso.core.indicators import (
    Cell,
    Computation,
    Count,
    CountQuery,
    Kind,
    flow_counts,
    touched_cells,
)


def people_reached_count(query: CountQuery) -> list[Count]:
    """Return people helped in visits per commune × month."""
    return flow_counts(
        Visit.objects.all(),
        query=query,
        commune="commune",
        when="visited_at",
        group=None,
        value=Sum("people_helped"),
    )


def visits_count(query: CountQuery) -> list[Count]:
    """Return visits per commune × month."""
    return flow_counts(
        Visit.objects.all(),
        query=query,
        commune="commune",
        when="visited_at",
        group=None,
    )


def visits_touched(since: datetime) -> Iterable[Cell]:
    """Return the cells of visits recorded or changed since ``since``."""
    changed = Visit.objects.filter(Q(created_at__gte=since) | Q(updated_at__gte=since))
    return touched_cells(changed, commune="commune", when="visited_at")


def attendance_count(query: CountQuery) -> list[Count]:
    """Return event check-ins per commune × month × group."""
    return flow_counts(
        Attendance.objects.all(),
        query=query,
        commune="event__commune",
        when="checked_in_at",
        group="user__profile__target_group__slug",
    )


def attendance_touched(since: datetime) -> Iterable[Cell]:
    """Return the cells of check-ins recorded since ``since``."""
    changed = Attendance.objects.filter(updated_at__gte=since)
    return touched_cells(changed, commune="event__commune", when="checked_in_at")


COMPUTATIONS = [
    Computation(
        key="community.people_reached",
        label_vi="Người được tổ công nghệ số cộng đồng hỗ trợ",
        label_en="People reached by community digital teams",
        kind=Kind.FLOW,
        count=people_reached_count,
        touched=visits_touched,
    ),
    Computation(
        key="community.visits",
        label_vi="Lượt đến hộ gia đình",
        label_en="Household visits",
        kind=Kind.FLOW,
        count=visits_count,
        touched=visits_touched,
    ),
    Computation(
        key="community.event_attendance",
        label_vi="Lượt tham dự lớp học, sự kiện",
        label_en="Event attendance",
        kind=Kind.FLOW,
        count=attendance_count,
        touched=attendance_touched,
    ),
]
