from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.test import Client
from tests.factories import learner_in
from tests.learning.packfactory import write_pack

from hocvuso.learning.models import Lesson, LessonProgress
from hocvuso.learning.selectors import competence_progress, continue_lesson
from hocvuso.learning.services import progress_record
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def lessons(tmp_path: Path, settings: object) -> list[Lesson]:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    pack_import(
        source=PackSource.open(write_pack(tmp_path / "p", lessons=3)), actor=None
    )
    return list(Lesson.objects.order_by("order"))


def test_retried_event_is_counted_once(lessons: list[Lesson]) -> None:
    user = learner_in(30178)
    event = uuid.uuid4()
    for _ in range(3):
        progress_record(actor=user, lesson=lessons[0], seconds=60, event_id=event)
    progress_record(actor=user, lesson=lessons[0], seconds=30, event_id=uuid.uuid4())
    assert LessonProgress.objects.get(user=user).seconds_spent == 90


def test_completion_is_kept(lessons: list[Lesson]) -> None:
    user = learner_in(30178)
    done = progress_record(actor=user, lesson=lessons[0], completed=True)
    again = progress_record(actor=user, lesson=lessons[0], completed=False)
    assert again.completed_at == done.completed_at is not None


def test_continue_where_left_off(lessons: list[Lesson]) -> None:
    user = learner_in(30178)
    assert continue_lesson(user=user) is None
    progress_record(actor=user, lesson=lessons[0], completed=True)
    assert continue_lesson(user=user) == lessons[1]
    progress_record(actor=user, lesson=lessons[2])
    assert continue_lesson(user=user) == lessons[2]
    [row] = competence_progress(user=user)
    assert (row.code, row.done, row.total) == ("4.2", 1, 3)


def test_api_progress_is_idempotent(client: Client, lessons: list[Lesson]) -> None:
    user = learner_in(30178)
    client.force_login(user)
    body = {
        "lesson": lessons[0].slug,
        "event_id": str(uuid.uuid4()),
        "seconds": 120,
        "completed": True,
    }
    first = client.post("/api/learning/progress", body, content_type="application/json")
    second = client.post(
        "/api/learning/progress", body, content_type="application/json"
    )
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() and first.json()["seconds_spent"] == 120
    listing = client.get("/api/learning/progress").json()
    assert [p["lesson"] for p in listing] == [lessons[0].slug]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"lesson": "nope", "event_id": str(uuid.uuid4())}, 404),
        ({"lesson": "safety-lesson-1", "event_id": "not-a-uuid"}, 422),
        (
            {"lesson": "safety-lesson-1", "event_id": str(uuid.uuid4()), "seconds": -5},
            422,
        ),
        ({"event_id": str(uuid.uuid4())}, 422),
    ],
)
def test_api_progress_bad_input(
    client: Client, lessons: list[Lesson], body: dict[str, object], status: int
) -> None:
    client.force_login(learner_in(30178))
    response = client.post(
        "/api/learning/progress", body, content_type="application/json"
    )
    assert response.status_code == status and response.json()["detail"]
    assert not LessonProgress.objects.exists()


def test_api_progress_needs_sign_in(client: Client, lessons: list[Lesson]) -> None:
    assert client.get("/api/learning/progress").status_code == 401


def test_api_courses(client: Client, lessons: list[Lesson]) -> None:
    data = client.get("/api/learning/courses").json()
    assert data == [
        {
            "id": "safety",
            "order": 1,
            "title": "An toàn",
            "summary": "Giữ an toàn.",
            "lessons": 3,
            "minutes": 15,
        }
    ]
    detail = client.get("/api/learning/courses/safety").json()
    assert detail["lesson_list"][0]["id"] == "safety-lesson-1"
    assert client.get("/api/learning/courses/nope").status_code == 404
    assert client.get("/api/learning/courses?competence=abc").status_code == 422
