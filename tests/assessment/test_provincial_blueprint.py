"""A provincial pack's blueprint replaces the national one for its province only."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from tests.factories import learner_in
from tests.learning.packfactory import replace, write_pack

from hocvuso.assessment.models import Blueprint, TestSession
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource

pytestmark = pytest.mark.django_db
CITY_BLUEPRINT = """\
blueprints:
  - target_group: adults
    mode: adaptive
    pass_level: CB2
    length: {min: 6, max: 8}
    stopping: {se: 0.3, classification: true, confidence: 0.95}
    time_limit_minutes: 12
    retake_cooldown_days: 1
"""


@pytest.fixture
def city(bank: Path, tmp_path: Path) -> Blueprint:
    """Import a small pack of Thành phố Hồ Chí Minh (79) beside the bank's."""
    root = write_pack(tmp_path / "city", pack_id="city-79")
    replace(root / "pack.yaml", "languages:", "province: 79\nlanguages:")
    replace(root / "courses/safety/course.yaml", "id: safety", "id: city-safety")
    for n in (1, 2):
        lesson = root / f"courses/safety/lessons/{n:02d}-bai-{n}.md"
        replace(lesson, f"id: safety-lesson-{n}", f"id: city-lesson-{n}")
    replace(root / "items/safety.yaml", "id: t-001", "id: city-001")
    (root / "blueprints.yaml").write_text(CITY_BLUEPRINT, encoding="utf-8")
    pack_import(source=PackSource.open(root), actor=None)
    return Blueprint.objects.get(province_id=79)


def test_city_learners_sit_the_city_blueprint_others_the_national(
    client: Client, city: Blueprint
) -> None:
    national = Blueprint.objects.get(target_group__slug="adults", province=None)
    assert national.pk != city.pk and national.time_limit_minutes == 30
    resident = learner_in(26506)  # Phường Vũng Tàu, Thành phố Hồ Chí Minh
    client.force_login(resident)
    client.post("/assess/start/adults/")
    assert TestSession.objects.get(user=resident).blueprint_id == city.pk
    listed = {
        b["target_group"]: b for b in client.get("/api/assessment/blueprints").json()
    }
    assert listed["adults"]["time_limit_minutes"] == 12
    assert listed["farmers"]["time_limit_minutes"] == 30  # not overridden

    other = Client()
    elsewhere = learner_in(30178)  # Đồng Tháp
    other.force_login(elsewhere)
    other.post("/assess/start/adults/")
    assert TestSession.objects.get(user=elsewhere).blueprint_id == national.pk
    listed = {
        b["target_group"]: b for b in other.get("/api/assessment/blueprints").json()
    }
    assert listed["adults"]["time_limit_minutes"] == 30
    visitor = {
        b["target_group"]: b for b in Client().get("/api/assessment/blueprints").json()
    }
    assert visitor["adults"]["time_limit_minutes"] == 30


def test_reimporting_the_city_pack_updates_its_blueprint_in_place(
    city: Blueprint, tmp_path: Path
) -> None:
    root = tmp_path / "city"
    replace(
        root / "blueprints.yaml", "time_limit_minutes: 12", "time_limit_minutes: 15"
    )
    pack_import(source=PackSource.open(root), actor=None)
    assert Blueprint.objects.filter(target_group__slug="adults").count() == 2
    city.refresh_from_db()
    assert city.time_limit_minutes == 15 and city.province_id == 79
