"""The assistant's shared index holds only what every learner may read."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.learning.packfactory import write_pack

from hocvuso.assistant.store import lesson_docs
from hocvuso.learning.models import Course
from hocvuso.packs.models import ContentPack
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource

pytestmark = pytest.mark.django_db


def test_provincial_and_draft_lessons_stay_out_of_the_index(
    tmp_path: Path, settings: object
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    pack_import(source=PackSource.open(write_pack(tmp_path / "p")), actor=None)
    assert {d.lesson for d in lesson_docs()} == {"safety-lesson-1", "safety-lesson-2"}
    Course.objects.filter(slug="safety").update(province_id=79)  # a city's course
    assert lesson_docs() == []
    Course.objects.filter(slug="safety").update(province_id=None)
    ContentPack.objects.update(status=ContentPack.Status.DRAFT)
    assert lesson_docs() == []
