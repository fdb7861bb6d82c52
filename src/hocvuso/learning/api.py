from __future__ import annotations

import uuid
from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from hocvuso.accounts.api_auth import session_or_token
from hocvuso.accounts.guidance import acting_for
from hocvuso.accounts.models import User
from hocvuso.core.errors import NotFound
from hocvuso.learning.models import Course, Lesson, LessonProgress
from hocvuso.learning.selectors import course_get, course_list, reader_for
from hocvuso.learning.services import progress_record

router = Router()


class CourseOut(Schema):
    id: str
    order: int
    title: str
    summary: str
    lessons: int
    minutes: int


class LessonSummaryOut(Schema):
    id: str
    order: int
    title: str
    minutes: int
    level: str
    competences: list[str]
    url: str


class CourseDetailOut(CourseOut):
    lesson_list: list[LessonSummaryOut]


class CourseFilter(Schema):
    group: str = Field("", max_length=40)
    competence: str = Field("", max_length=8, pattern=r"^(\d\.\d)?$")


class ProgressIn(Schema):
    lesson: str = Field(..., max_length=120, description="lesson id")
    event_id: uuid.UUID = Field(..., description="new per report, same on retry")
    seconds: int = Field(0, ge=0, le=4 * 3600)
    completed: bool = False


class ProgressOut(Schema):
    lesson: str
    course: str
    completed: bool
    completed_at: datetime | None
    seconds_spent: int
    last_seen_at: datetime


def _course_out(c: Course) -> dict[str, object]:
    return {
        "id": c.slug,
        "order": c.order,
        "title": c.title,
        "summary": c.summary,
        "lessons": int(getattr(c, "n_lessons", 0) or 0),
        "minutes": int(getattr(c, "n_minutes", 0) or 0),
    }


def _progress_out(p: LessonProgress) -> ProgressOut:
    return ProgressOut(
        lesson=p.lesson.slug,
        course=p.lesson.course.slug,
        completed=p.completed_at is not None,
        completed_at=p.completed_at,
        seconds_spent=p.seconds_spent,
        last_seen_at=p.last_seen_at,
    )


def _api_user(request: HttpRequest) -> User | None:
    """Return the signed-in learner, None for a visitor (national courses only)."""
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


@router.get("/courses", response=list[CourseOut], summary="List the courses")
def courses(
    request: HttpRequest, filters: Query[CourseFilter]
) -> list[dict[str, object]]:
    """Published courses with their number of lessons and minutes; `group` keeps those
    for one target group (e.g. `farmers`), `competence` those that teach one
    competence (e.g. `4.2`). No sign-in needed.

    Example: `GET /api/learning/courses?group=farmers`
    """
    reader = reader_for(_api_user(request))
    return [
        _course_out(c)
        for c in course_list(
            group=filters.group, competence=filters.competence, reader=reader
        )
    ]


@router.get(
    "/courses/{slug}",
    response=CourseDetailOut,
    summary="Get one course and its lessons",
)
def course_detail(request: HttpRequest, slug: str) -> dict[str, object]:
    """A published course by its id, with its lessons in order (title, minutes, level,
    competences). 404 for a course that does not exist or is not published. No
    sign-in needed.

    Example: `GET /api/learning/courses/vneid-basics`
    """
    course = course_get(slug=slug[:80], reader=reader_for(_api_user(request)))
    if course is None:
        raise NotFound(_("There is no course '%(id)s'.") % {"id": slug[:80]})
    lessons = list(course.lessons.all())
    return {
        **_course_out(course),
        "lessons": len(lessons),
        "minutes": sum(lesson.minutes for lesson in lessons),
        "lesson_list": [
            {
                "id": lesson.slug,
                "order": lesson.order,
                "title": lesson.title,
                "minutes": lesson.minutes,
                "level": lesson.level.code,
                "competences": [c.code for c in lesson.competences.all()],
                "url": f"/learn/{course.slug}/{lesson.slug}/",
            }
            for lesson in lessons
        ],
    }


@router.get(
    "/progress",
    response=list[ProgressOut],
    auth=session_or_token,
    summary="My learning progress",
)
def progress_list(request: HttpRequest) -> list[ProgressOut]:
    """The lessons the learner has opened or finished, most recent first (for a helper
    guiding someone: that person's). Needs a sign-in (session, or a token with
    `read`).

    Example: `GET /api/learning/progress`
    """
    acting = acting_for(request)
    assert acting is not None
    user = acting.learner
    rows = (
        LessonProgress.objects.filter(user=user)
        .select_related("lesson__course")
        .order_by("-last_seen_at")
    )
    return [_progress_out(p) for p in rows]


@router.post(
    "/progress",
    response=ProgressOut,
    auth=session_or_token,
    summary="Record learning progress",
)
def progress_post(request: HttpRequest, payload: ProgressIn) -> ProgressOut:
    """Adds time spent on a lesson and, with `completed: true`, marks it finished. Send
    a new `event_id` (a UUID the app makes) per event: sending the same one again,
    e.g. after a lost connection, changes nothing. Needs a sign-in (session with
    `X-CSRFToken`, or a token with `write`).

    Example: `POST /api/learning/progress` with `{"lesson": "vneid-activate",
    "event_id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "seconds": 120,
    "completed": true}`
    """
    acting = acting_for(request)
    assert acting is not None
    user = acting.learner
    lesson = (
        Lesson.objects.filter(slug=payload.lesson, archived=False)
        .select_related("course")
        .first()
    )
    if lesson is None:
        raise NotFound(_("There is no lesson '%(id)s'.") % {"id": payload.lesson})
    progress = progress_record(
        actor=user,
        lesson=lesson,
        seconds=payload.seconds,
        completed=payload.completed,
        event_id=payload.event_id,
        assisted_by=acting.helper,
    )
    return _progress_out(progress)
