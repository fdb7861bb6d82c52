"""'Dữ liệu của tôi' holds every record about the person (#12)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hocvuso.accounts.models import GuidanceGrant
from hocvuso.learning.models import Lesson
from hocvuso.learning.services import progress_record

pytestmark = pytest.mark.django_db


def test_export_has_progress_sittings_answers_results_certificates(
    client: Client, sitting_factory: Any
) -> None:
    sitting = sitting_factory(identity_level=2)
    learner = sitting.learner
    lesson = Lesson.objects.order_by("order").first()
    assert lesson is not None
    progress_record(actor=learner, lesson=lesson, seconds=40, completed=True)
    client.force_login(learner)
    response = client.get("/accounts/me/data.json")
    data = json.loads(response.content)
    assert [p["lesson"] for p in data["learning_progress"]] == [lesson.slug]
    assert data["learning_progress"][0]["completed_at"] is not None
    (sat,) = data["assessment_sittings"]
    assert sat["supervised"] is True
    assert len(sat["answers"]) == sitting.result.n_items
    assert all({"question", "option", "correct"} <= set(a) for a in sat["answers"])
    assert sat["result"]["id"] == str(sitting.result.pk)
    assert sat["result"]["passed"] is True
    (certificate,) = data["certificates"]
    assert certificate["result"] == str(sitting.result.pk)
    assert "consents" in data and data["helpers"] == []
    assert data["password_resets"] == []
    page = client.get("/accounts/me/data/").content.decode()
    assert "1 bài đã mở" in page and "1 chứng nhận" in page


def test_export_lists_helpers_who_could_act(client: Client) -> None:
    from tests.accounts.assisted import helped_learner

    pair = helped_learner()
    client.force_login(pair.learner)
    data = client.get("/accounts/me/data.json").json()
    grants = GuidanceGrant.objects.filter(learner=pair.learner).count()
    assert len(data["helpers"]) == grants >= 1
    assert data["helpers"][0]["helper"] == (
        pair.helper.full_name or pair.helper.username
    )
