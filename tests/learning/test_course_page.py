"""Course pages explain their codes and open the lesson to start or continue (#12)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from tests.factories import learner_in
from tests.learning.packfactory import write_pack

from hocvuso.learning.models import Lesson
from hocvuso.learning.services import progress_record
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pack(tmp_path: Path, settings: object) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    pack_import(
        source=PackSource.open(write_pack(tmp_path / "p", lessons=2)), actor=None
    )


def test_course_page_explains_levels_and_skills_in_plain_words(client: Client) -> None:
    body = client.get("/learn/safety/").content.decode()
    assert "Các mã này nghĩa là gì?" in body
    # CB1 and competence 4.2 are spelt out.
    assert "<dd>Cơ bản 1: làm được việc đơn giản khi có người chỉ cách.</dd>" in body
    assert "<dt>4.2</dt>" in body


def test_course_page_has_a_start_then_continue_button(client: Client) -> None:
    first, second = Lesson.objects.order_by("order")
    body = client.get("/learn/safety/").content.decode()
    assert f'id="course-start" href="/learn/safety/{first.slug}/">Bắt đầu' in body
    learner = learner_in(30178)
    progress_record(actor=learner, lesson=first, completed=True)
    client.force_login(learner)
    body = client.get("/learn/safety/").content.decode()
    assert f'id="course-start" href="/learn/safety/{second.slug}/">Học tiếp' in body


def test_the_learners_own_track_comes_first_in_the_catalogue(
    client: Client, tmp_path: Path
) -> None:
    root = write_pack(tmp_path / "q", pack_id="farm-pack", lessons=1)
    course = root / "courses/farming"
    (root / "courses/safety").rename(course)
    (course / "course.yaml").write_text(
        "id: farming\norder: 9\ntitle: {vi: Nhà nông số, en: Digital farming}\n"
        "summary: {vi: Cho nông dân., en: For farmers.}\ntarget_groups: [farmers]\n",
        encoding="utf-8",
    )
    for md in (course / "lessons").glob("*.md"):
        md.write_text(md.read_text("utf-8").replace("safety-lesson", "farm-lesson"))
    for item_file in (root / "items").glob("*.yaml"):
        item_file.unlink()  # the first pack holds these items already
    pack_import(source=PackSource.open(root), actor=None)
    farmer = learner_in(30178)
    farmer.profile.target_group = type(farmer.profile.target_group).objects.get(
        slug="farmers"
    )
    farmer.profile.save()
    client.force_login(farmer)
    body = client.get("/learn/").content.decode()
    assert body.index("Nhà nông số") < body.index("An toàn")
    # Everyone else keeps the pack's order.
    body = client.get("/learn/?group=").content.decode()
    assert body.index("An toàn") < body.index("Nhà nông số")
