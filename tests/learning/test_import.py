"""Importing packs: idempotent, all-or-nothing, progress never lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from tests.factories import learner_in
from tests.learning.packfactory import lesson_path, replace, write_pack

from hocvuso.core.models import AuditLog
from hocvuso.learning.models import Course, Lesson, LessonProgress
from hocvuso.learning.services import progress_record
from hocvuso.packs.errors import PackInvalid
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource

pytestmark = pytest.mark.django_db
DEFAULT = Path(__file__).resolve().parents[2] / "src/hocvuso/content/default"


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: object) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]


def test_import_creates_courses_and_rendered_lessons(tmp_path: Path) -> None:
    result = pack_import(source=PackSource.open(write_pack(tmp_path / "p")), actor=None)
    assert (result.count("courses"), result.count("lessons_created")) == (1, 2)
    lesson = Lesson.objects.get(slug="safety-lesson-1")
    assert (
        lesson.title_en == "Lesson 1"
        and '<h2 id="phan-1">Phần 1</h2>' in lesson.html_vi
    )
    assert [c.code for c in lesson.competences.all()] == ["4.2"]
    assert lesson.self_check_vi[1]["answer"] == 2
    # The image is stored under its hash and scaled down to 960 px wide.
    src = lesson.html_vi.split('src="')[1].split('"')[0]
    assert src.startswith("/learn/media/") and src.endswith(".png")
    from PIL import Image

    stored = Path(settings.MEDIA_ROOT) / "packs" / src.rsplit("/", 1)[1]
    with Image.open(stored) as img:
        assert img.width == 960
    assert AuditLog.objects.filter(action="content_pack.import").count() == 1


def test_reimport_is_a_no_op(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "p")
    pack_import(source=PackSource.open(root), actor=None)
    stamp = list(Lesson.objects.values_list("slug", "updated_at"))
    again = pack_import(source=PackSource.open(root), actor=None)
    assert again.unchanged
    assert list(Lesson.objects.values_list("slug", "updated_at")) == stamp
    forced = pack_import(source=PackSource.open(root), actor=None, force=True)
    assert (forced.count("lessons_created"), forced.count("lessons_updated")) == (0, 2)
    assert Lesson.objects.count() == 2 and Course.objects.count() == 1


def test_update_and_archive_keep_progress(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "p", lessons=3)
    pack_import(source=PackSource.open(root), actor=None)
    learner = learner_in(30178)
    gone = Lesson.objects.get(slug="safety-lesson-3")
    progress_record(actor=learner, lesson=gone, completed=True)
    replace(lesson_path(root, 1), "title: Bài 1", "title: Bài một")
    lesson_path(root, 3).unlink()
    lesson_path(root, 3, "en").unlink()
    result = pack_import(source=PackSource.open(root), actor=None)
    assert (result.count("lessons_updated"), result.count("lessons_archived")) == (2, 1)
    assert Lesson.objects.get(slug="safety-lesson-1").title_vi == "Bài một"
    gone.refresh_from_db()
    assert gone.archived and LessonProgress.objects.get(lesson=gone).completed_at


def test_invalid_pack_changes_nothing(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "p")
    pack_import(source=PackSource.open(root), actor=None)
    replace(lesson_path(root, 1), "title: Bài 1", "title: Bài mới")
    replace(lesson_path(root, 2), 'competences: ["4.2"]', 'competences: ["0.0"]')
    with pytest.raises(PackInvalid) as exc:
        pack_import(source=PackSource.open(root), actor=None)
    assert "unknown competence id '0.0'" in str(exc.value.issues[0])
    assert Lesson.objects.get(slug="safety-lesson-1").title_vi == "Bài 1"


def test_course_of_another_pack_is_refused(tmp_path: Path) -> None:
    pack_import(source=PackSource.open(write_pack(tmp_path / "a")), actor=None)
    other = write_pack(tmp_path / "b", pack_id="another-pack")
    with pytest.raises(PackInvalid, match="problem"):
        pack_import(source=PackSource.open(other), actor=None)


def test_default_pack_imports_twice_without_change(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("content", "import")
    first = capsys.readouterr().out
    assert "lessons created" in first
    n = Lesson.objects.count()
    assert n >= 60 and Course.objects.count() >= 12
    call_command("content", "import")
    assert "unchanged" in capsys.readouterr().out
    assert Lesson.objects.count() == n


def test_import_command_reports_problems(tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    root = write_pack(tmp_path / "p")
    replace(lesson_path(root), "level: CB1", "level: ZZ")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("content", "import", str(root))
    assert not Lesson.objects.exists()
