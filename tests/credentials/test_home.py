"""The signed-in home shows the learner's next steps (#12)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.factories import learner_in

from hocvuso.assessment.models import Blueprint
from hocvuso.learning.models import Lesson
from hocvuso.learning.services import progress_record

from .conftest import COMMUNE

pytestmark = pytest.mark.django_db


def test_visitors_get_the_welcome_page(client: Client) -> None:
    body = client.get("/").content.decode()
    assert "Tạo tài khoản miễn phí" in body and "Học tiếp" not in body


def test_new_learner_is_shown_where_to_start_and_the_groups_test(
    client: Client, adults: Blueprint
) -> None:
    client.force_login(learner_in(COMMUNE))
    body = client.get("/").content.decode()
    assert "Bắt đầu học" in body and "/learn/safety/" in body
    assert "Làm bài đánh giá" in body and "/assess/#my-group" in body
    # The level to reach is said in plain words, not only as a code.
    assert "CB2 — Cơ bản 2: tự làm được việc đơn giản" in body


def test_learner_continues_the_lesson_and_sees_the_latest_result(
    client: Client, sitting_factory: Any
) -> None:
    sitting = sitting_factory(right=False, supervised=False)
    lesson = Lesson.objects.order_by("order").first()
    assert lesson is not None
    progress_record(actor=sitting.learner, lesson=lesson, seconds=30)
    client.force_login(sitting.learner)
    body = client.get("/").content.decode()
    assert "Học tiếp" in body and f"/learn/safety/{lesson.slug}/" in body
    assert f"/assess/results/{sitting.result.pk}/" in body and "chưa đạt" in body
    assert "Làm lại bài đánh giá" in body


def test_after_a_confirmed_pass_the_home_offers_the_certificate(
    client: Client, sitting_factory: Any
) -> None:
    sitting = sitting_factory(identity_level=2)
    client.force_login(sitting.learner)
    body = client.get("/").content.decode()
    assert "Bạn đã có chứng nhận" in body and "/certificates/" in body
