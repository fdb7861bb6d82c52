"""A provincial pack beside the default: shown to its province only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.test import Client
from tests.factories import PASSWORD, learner_in
from tests.learning.packfactory import replace

from hocvuso.assessment.models import Blueprint
from hocvuso.assessment.selectors import blueprint_for_group, blueprint_list
from hocvuso.learning.models import Course, Lesson
from hocvuso.learning.selectors import Reader, course_list
from hocvuso.packs.errors import PackInvalid
from hocvuso.packs.models import ContentPack
from hocvuso.packs.services import pack_import, pack_validate
from hocvuso.packs.source import PackSource

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
HCMC = ROOT / "examples/packs/ho-chi-minh"
DEFAULT = ROOT / "src/hocvuso/content/default"
HCMC_COMMUNE = 26506  # Phường Vũng Tàu, Thành phố Hồ Chí Minh (79)
DONG_THAP_COMMUNE = 30178  # Xã Mỹ An Hưng, Đồng Tháp (82)
COURSE = "/learn/cong-dan-so-tphcm/"


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: object) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]


def _copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(HCMC, tmp_path / "hcmc"))


def _signed_in(client: Client, commune: int) -> Client:
    user = learner_in(commune)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_example_pack_validates_without_a_database() -> None:
    report = pack_validate(source=PackSource.open(HCMC), database=False)
    assert report.ok, report.issues
    assert report.pack is not None and report.pack.province == 79
    assert report.summary["lessons"] == 4 and report.summary["items"] == 4
    assert report.summary["blueprints"] == 1


def test_every_lesson_of_the_example_lists_its_sources() -> None:
    from hocvuso.learning.pack_sections import pack_courses

    report = pack_validate(source=PackSource.open(HCMC), database=False)
    assert report.pack is not None
    lessons = [ld for c in pack_courses(report.pack) for ld in c.lessons]
    assert len(lessons) == 4
    assert all(
        ld.sources and ld.sources[0]["url"].startswith("https://") for ld in lessons
    )


def test_a_wrong_province_is_reported_with_its_line(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    replace(root / "pack.yaml", "province: 79", "province: 99")
    issues = [str(i) for i in pack_validate(source=PackSource.open(root)).issues]
    assert issues == [
        "pack.yaml:9: 'province' must be the code of a province, such as 79 for "
        "Thành phố Hồ Chí Minh (got '99')"
    ]
    replace(root / "pack.yaml", "province: 99", "province: ho-chi-minh")
    assert "(got 'ho-chi-minh')" in str(
        pack_validate(source=PackSource.open(root)).issues
    )
    replace(
        root / "courses/cong-dan-so-tphcm/course.yaml",
        "order: 20",
        "order: 20\nnational: 1",
    )
    assert any(
        str(i)
        == "courses/cong-dan-so-tphcm/course.yaml:3: 'national' must be true or false"
        for i in pack_validate(source=PackSource.open(root)).issues
    )


def test_it_imports_beside_the_default_pack_without_touching_it() -> None:
    pack_import(source=PackSource.open(DEFAULT), actor=None)
    before_courses = list(Course.objects.values_list("slug", "updated_at", "province"))
    before_lessons = list(Lesson.objects.values_list("slug", "updated_at", "archived"))
    before_bps = list(
        Blueprint.objects.values_list("target_group__slug", "updated_at", "province")
    )
    result = pack_import(source=PackSource.open(HCMC), actor=None)
    assert result.pack.province_id == 79 and result.count("lessons_created") == 4
    assert ContentPack.objects.get(slug="hocvuso-default").province_id is None
    mine = Course.objects.filter(pack=result.pack)
    assert [(c.slug, c.province_id) for c in mine] == [("cong-dan-so-tphcm", 79)]
    others = Course.objects.exclude(pack=result.pack)
    assert list(others.values_list("slug", "updated_at", "province")) == before_courses
    assert (
        list(
            Lesson.objects.exclude(course__pack=result.pack).values_list(
                "slug", "updated_at", "archived"
            )
        )
        == before_lessons
    )
    national = Blueprint.objects.filter(province__isnull=True)
    assert (
        list(national.values_list("target_group__slug", "updated_at", "province"))
        == before_bps
    )
    # The city's blueprint for civil servants is used for its learners only.
    city = blueprint_for_group("civil_servants", province=79)
    assert (
        city is not None and city.pack_id == result.pack.pk and city.province_id == 79
    )
    elsewhere = blueprint_for_group("civil_servants", province=82)
    assert elsewhere is not None and elsewhere.pack.slug == "hocvuso-default"
    assert blueprint_for_group("civil_servants") == elsewhere
    assert blueprint_for_group("adults", province=79) == blueprint_for_group("adults")
    groups = [bp.target_group.slug for bp in blueprint_list(province=79)]
    assert len(groups) == len(set(groups)) == national.count()
    # A re-import of either pack changes nothing.
    assert pack_import(source=PackSource.open(HCMC), actor=None).unchanged
    assert pack_import(source=PackSource.open(DEFAULT), actor=None).unchanged


def test_the_city_course_shows_to_the_city_learners_only(client: Client) -> None:
    pack_import(source=PackSource.open(HCMC), actor=None)
    slugs = [c.slug for c in course_list(reader=Reader(79))]
    assert slugs == ["cong-dan-so-tphcm"]
    assert list(course_list(reader=Reader(82))) == []
    assert list(course_list(reader=Reader())) == []
    # Visitors and learners of another province: not in the catalogue, 404.
    assert (
        "Công dân số Thành phố Hồ Chí Minh"
        not in client.get("/learn/").content.decode()
    )
    assert client.get(COURSE).status_code == 404
    other = _signed_in(Client(), DONG_THAP_COMMUNE)
    assert (
        "Công dân số Thành phố Hồ Chí Minh" not in other.get("/learn/").content.decode()
    )
    assert other.get(COURSE).status_code == 404
    assert other.get(COURSE + "tphcm-phan-anh-1022/").status_code == 404
    assert other.get("/api/learning/courses/cong-dan-so-tphcm").status_code == 404
    # A learner of the city sees it, its lessons, and can finish one.
    city = _signed_in(Client(), HCMC_COMMUNE)
    assert "Công dân số Thành phố Hồ Chí Minh" in city.get("/learn/").content.decode()
    page = city.get(COURSE + "tphcm-phan-anh-1022/").content.decode()
    assert "<h1" in page and "1022" in page
    api = city.get("/api/learning/courses").json()
    assert [c["id"] for c in api] == ["cong-dan-so-tphcm"]


def test_a_course_marked_national_shows_to_everyone(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    replace(
        root / "courses/cong-dan-so-tphcm/course.yaml",
        "order: 20",
        "order: 20\nnational: true",
    )
    pack_import(source=PackSource.open(root), actor=None)
    assert Course.objects.get(slug="cong-dan-so-tphcm").province_id is None
    assert [c.slug for c in course_list(reader=Reader(82))] == ["cong-dan-so-tphcm"]
    assert [c.slug for c in course_list(reader=Reader())] == ["cong-dan-so-tphcm"]


def test_a_course_id_of_the_default_pack_is_refused(tmp_path: Path) -> None:
    pack_import(source=PackSource.open(DEFAULT), actor=None)
    root = _copy(tmp_path)
    replace(
        root / "courses/cong-dan-so-tphcm/course.yaml",
        "id: cong-dan-so-tphcm",
        "id: vneid",
    )
    with pytest.raises(PackInvalid) as err:
        pack_import(source=PackSource.open(root), actor=None)
    assert "course id 'vneid' belongs to pack 'hocvuso-default'" in str(
        err.value.issues
    )
    assert not ContentPack.objects.filter(slug="tphcm-cong-dan-so").exists()


def test_the_example_step_pictures_match_their_text() -> None:
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts/draw-steps"), "--check", str(HCMC)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    pictures = list((HCMC / "courses/cong-dan-so-tphcm/media").glob("*.svg"))
    assert len(pictures) == 2 and all(p.stat().st_size < 30_000 for p in pictures)
