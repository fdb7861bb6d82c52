"""Reads for learning: catalogue, lessons, a learner's progress."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from hocvuso.accounts.models import LearnerProfile, User
from hocvuso.framework.models import Competence
from hocvuso.learning.models import Course, Lesson, LessonProgress
from hocvuso.packs.models import ContentPack

QS = TypeVar("QS", bound=QuerySet[Any, Any])


@dataclass(frozen=True)
class Reader:
    """Whose catalogue is shown: a provincial course shows to its province only.

    ``province`` is the code of the learner's province, None when unknown (a
    visitor, or a profile without a commune): such a reader sees national
    courses only.
    """

    province: int | None = None


def reader_for(user: User | None) -> Reader:
    """Return the reader a learner is (their province from their commune)."""
    if user is None:
        return Reader()
    province = (
        LearnerProfile.objects.filter(user=user)
        .values_list("commune__province_id", flat=True)
        .first()
    )
    return Reader(province)


def _visible(
    qs: QS, reader: Reader | None, prefix: str = "", *, include_drafts: bool = False
) -> QS:
    """Keep what ``reader`` may see: of published packs (or also drafts, for
    editors), national or of the reader's province (no reader: any province)."""
    if not include_drafts:
        qs = qs.filter(**{f"{prefix}pack__status": ContentPack.Status.PUBLISHED})
    if reader is None:  # no reader: every province (progress, staff reports)
        return qs
    national = Q(**{f"{prefix}province__isnull": True})
    if reader.province is None:
        return qs.filter(national)
    return qs.filter(national | Q(**{f"{prefix}province_id": reader.province}))


def course_list(
    *,
    group: str = "",
    competence: str = "",
    reader: Reader | None = None,
    include_drafts: bool = False,
) -> QuerySet[Course, Any]:
    """Return published courses (optionally for a group / teaching a competence).

    With ``reader``, only the courses that reader may see (national ones and
    those of their province). Courses of draft packs are left out unless
    ``include_drafts`` (editors). Filters use subqueries so that the lesson
    counts and minutes stay exact.
    """
    qs = _visible(
        Course.objects.filter(archived=False), reader, include_drafts=include_drafts
    )
    if group:
        in_group = Course.target_groups.through.objects.filter(
            targetgroup__slug=group
        ).values("course_id")
        qs = qs.filter(Q(for_all_groups=True) | Q(pk__in=in_group))
    if competence:
        teaching = Lesson.objects.filter(
            archived=False, competences__code=competence
        ).values("course_id")
        qs = qs.filter(pk__in=teaching)
    return (
        qs.annotate(
            n_lessons=Count("lessons", filter=Q(lessons__archived=False)),
            n_minutes=Sum("lessons__minutes", filter=Q(lessons__archived=False)),
        )
        .filter(n_lessons__gt=0)
        .order_by("order", "slug")
    )


def course_get(
    *, slug: str, reader: Reader | None = None, include_drafts: bool = False
) -> Course | None:
    """Return a published course with its published lessons and their competences.

    With ``reader``, None when the course is another province's.
    """
    lessons = (
        Lesson.objects.filter(archived=False)
        .select_related("level")
        .prefetch_related("competences")
        .order_by("order")
    )
    return (
        _visible(
            Course.objects.filter(slug=slug, archived=False),
            reader,
            include_drafts=include_drafts,
        )
        .select_related("pack")
        .prefetch_related(Prefetch("lessons", queryset=lessons), "target_groups")
        .first()
    )


def lesson_get(
    *,
    course_slug: str,
    slug: str,
    reader: Reader | None = None,
    include_drafts: bool = False,
) -> Lesson | None:
    """Return a published lesson; with ``reader``, None if another province's."""
    qs = Lesson.objects.filter(slug=slug, course__slug=course_slug, archived=False)
    return (
        _visible(qs, reader, "course__", include_drafts=include_drafts)
        .select_related("course__pack", "level")
        .prefetch_related("competences")
        .first()
    )


def lesson_neighbours(*, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    siblings = list(
        Lesson.objects.filter(course_id=lesson.course_id, archived=False)
        .order_by("order")
        .only("slug", "title_vi", "title_en", "order", "course_id")
    )
    idx = next(i for i, s in enumerate(siblings) if s.pk == lesson.pk)
    prev = siblings[idx - 1] if idx > 0 else None
    nxt = siblings[idx + 1] if idx + 1 < len(siblings) else None
    return prev, nxt


def progress_map(
    *, user: User, lessons: list[Lesson] | None = None
) -> dict[str, LessonProgress]:
    """Return the user's progress rows keyed by lesson id (UUID string)."""
    qs = LessonProgress.objects.filter(user=user)
    if lessons is not None:
        qs = qs.filter(lesson__in=lessons)
    return {str(p.lesson_id): p for p in qs}


def continue_lesson(*, user: User) -> Lesson | None:
    """Return the lesson to continue: the last one opened and not finished,
    else the next unfinished lesson of the last course touched."""
    last = (
        LessonProgress.objects.filter(user=user, lesson__archived=False)
        .select_related("lesson__course")
        .order_by("-last_seen_at")
        .first()
    )
    if last is None:
        return None
    if last.completed_at is None:
        return last.lesson
    done = LessonProgress.objects.filter(user=user, completed_at__isnull=False)
    return (
        Lesson.objects.filter(course_id=last.lesson.course_id, archived=False)
        .exclude(pk__in=done.values("lesson_id"))
        .select_related("course")
        .order_by("order")
        .first()
    )


@dataclass(frozen=True)
class CourseProgress:
    course: Course
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class CompetenceProgress:
    code: str
    name: str
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def course_progress(*, user: User) -> list[CourseProgress]:
    """Return progress in every course the user has started."""
    done_by_course: dict[str, int] = defaultdict(int)
    started: set[str] = set()
    for p in LessonProgress.objects.filter(user=user, lesson__archived=False).values(
        "lesson__course_id", "completed_at"
    ):
        cid = str(p["lesson__course_id"])
        started.add(cid)
        if p["completed_at"] is not None:
            done_by_course[cid] += 1
    courses = course_list().filter(pk__in=started)
    return [
        CourseProgress(c, done_by_course[str(c.pk)], int(getattr(c, "n_lessons", 0)))
        for c in courses
    ]


def competence_progress(*, user: User) -> list[CompetenceProgress]:
    """Return, per competence, how many of its lessons the user finished."""
    done_ids = set(
        LessonProgress.objects.filter(
            user=user, completed_at__isnull=False
        ).values_list("lesson_id", flat=True)
    )
    totals: dict[int, int] = defaultdict(int)
    dones: dict[int, int] = defaultdict(int)
    through = Lesson.competences.through.objects.filter(lesson__archived=False)
    for lesson_id, comp_id in through.values_list("lesson_id", "competence_id"):
        totals[comp_id] += 1
        if lesson_id in done_ids:
            dones[comp_id] += 1
    comps = Competence.objects.filter(pk__in=totals).order_by("order")
    return [
        CompetenceProgress(c.code, c.name, dones[c.pk], totals[c.pk]) for c in comps
    ]


def lessons_for_competences(*, codes: list[str], limit: int = 5) -> QuerySet[Lesson]:
    """Return lessons teaching any of ``codes`` (recommendations for weak areas)."""
    return (
        Lesson.objects.filter(archived=False, competences__code__in=codes)
        .select_related("course")
        .distinct()
        .order_by("level__number", "course__order", "order")[:limit]
    )
