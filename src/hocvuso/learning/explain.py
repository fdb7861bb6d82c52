"""Plain words for a course page: what its codes mean and where to start.

A learner sees level codes (CB1 … CS2) and competence codes (1.3, 2.2) beside
each lesson; this module lists the ones a course uses with their meaning, and
picks the lesson its start/continue button opens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hocvuso.framework.models import Competence, Level
from hocvuso.learning.models import Lesson, LessonProgress


@dataclass(frozen=True)
class CourseCodes:
    """The levels and competences a course's lessons carry, in order."""

    levels: list[Level]
    competences: list[Competence]


def course_codes(lessons: Sequence[Lesson]) -> CourseCodes:
    """Return the distinct levels and competences of ``lessons`` (prefetched)."""
    levels: dict[int, Level] = {}
    comps: dict[int, Competence] = {}
    for lesson in lessons:
        if lesson.level_id is not None:
            levels.setdefault(lesson.level.pk, lesson.level)
        for c in lesson.competences.all():
            comps.setdefault(c.pk, c)
    return CourseCodes(
        levels=sorted(levels.values(), key=lambda lv: lv.number),
        competences=sorted(comps.values(), key=lambda c: (c.order, c.code)),
    )


@dataclass(frozen=True)
class CourseStart:
    """The lesson the course page's main button opens, and how it is worded."""

    lesson: Lesson | None
    started: bool
    finished: bool


def course_start(
    rows: Sequence[tuple[Lesson, LessonProgress | None]],
) -> CourseStart:
    """Return the first unfinished lesson (or the first one) of a course."""
    started = any(p is not None for _lesson, p in rows)
    for lesson, p in rows:
        if p is None or p.completed_at is None:
            return CourseStart(lesson=lesson, started=started, finished=False)
    first = rows[0][0] if rows else None
    return CourseStart(lesson=first, started=started, finished=bool(rows))
