"""Pack versions: a dry run lists what a new version changes and writes nothing."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.learning.packfactory import lesson_path, replace, write_pack

from hocvuso.assessment.models import Blueprint, Item
from hocvuso.core.models import AuditLog
from hocvuso.learning.models import Course, Lesson
from hocvuso.packs.models import ContentPack
from hocvuso.packs.sections import PackChange
from hocvuso.packs.services import pack_import, pack_plan
from hocvuso.packs.source import PackSource

pytestmark = pytest.mark.django_db

ITEM_2 = """\
  - id: t-002
    competence: "4.2"
    level: CB2
    target_groups: [all]
    kind: mcq
    stem: {vi: "Câu hai?", en: "Question two?"}
    options:
      - {id: a, vi: "Một", en: "One"}
      - {id: b, vi: "Hai", en: "Two"}
      - {id: c, vi: "Ba", en: "Three"}
    key: a
    explanation: {vi: "Vì một.", en: "Because one."}
"""


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: object) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]


def _snapshot() -> list[object]:
    """Return every row a pack import writes, with its last change."""
    media = Path(settings.MEDIA_ROOT)
    return [
        list(ContentPack.objects.values_list("slug", "version", "content_hash")),
        list(Course.objects.values_list("slug", "updated_at", "archived")),
        list(Lesson.objects.values_list("slug", "updated_at", "archived")),
        list(Item.objects.values_list("slug", "version", "is_current", "updated_at")),
        list(Blueprint.objects.values_list("target_group__slug", "updated_at")),
        AuditLog.objects.count(),
        sorted(str(p) for p in media.rglob("*")) if media.exists() else [],
    ]


def _new_version(root: Path) -> None:
    """Edit lesson 1, add lesson 4, drop lesson 2, edit the item, add one."""
    replace(root / "pack.yaml", 'version: "1.0"', 'version: "1.1"')
    replace(lesson_path(root, 1), "Nội dung bài 1.", "Nội dung bài 1, đã sửa.")
    for lang in ("", "en"):
        lesson_path(root, 2, lang).unlink()
    four = lesson_path(root, 4)
    four.write_text(
        lesson_path(root, 3).read_text().replace("safety-lesson-3", "safety-lesson-4"),
        encoding="utf-8",
    )
    lesson_path(root, 4, "en").write_text(lesson_path(root, 3, "en").read_text())
    items = root / "items/safety.yaml"
    replace(items, '"Xóa tin"', '"Xóa tin nhắn"')
    items.write_text(items.read_text() + ITEM_2, encoding="utf-8")
    replace(root / "blueprints.yaml", "max: 30", "max: 25")


def test_a_new_pack_is_all_added_and_nothing_is_written(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "p")
    before = _snapshot()
    plan = pack_plan(source=PackSource.open(root))
    assert (plan.pack_id, plan.current_version, plan.unchanged) == (
        "test-pack",
        None,
        False,
    )
    assert plan.changes == [
        PackChange("blueprint", "added", "adults"),
        PackChange("course", "added", "safety"),
        PackChange("item", "added", "t-001"),
        PackChange("lesson", "added", "safety-lesson-1"),
        PackChange("lesson", "added", "safety-lesson-2"),
    ]
    assert _snapshot() == before  # no row, no audit entry, no media file


def test_a_newer_version_lists_added_changed_and_archived(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "p", lessons=3)
    pack_import(source=PackSource.open(root), actor=None)
    same = pack_plan(source=PackSource.open(root))
    assert same.unchanged and same.changes == []
    _new_version(root)
    before = _snapshot()
    plan = pack_plan(source=PackSource.open(root))
    assert (plan.current_version, plan.version) == ("1.0", "1.1")
    assert plan.of("lesson", "added") == ["safety-lesson-4"]
    assert plan.of("lesson", "changed") == ["safety-lesson-1"]
    assert plan.of("lesson", "archived") == ["safety-lesson-2"]
    assert plan.of("item", "added") == ["t-002"]
    assert plan.of("item", "changed") == ["t-001"]
    assert plan.of("blueprint", "changed") == ["adults"]
    assert plan.of("course", "changed") == []  # lesson 3 and the course as before
    assert plan.counts() == {
        "blueprints changed": 1,
        "items added": 1,
        "items changed": 1,
        "lessons added": 1,
        "lessons archived": 1,
        "lessons changed": 1,
    }
    assert _snapshot() == before
    # The import then does what the plan said.
    result = pack_import(source=PackSource.open(root), actor=None)
    assert (result.count("lessons_created"), result.count("lessons_archived")) == (1, 1)
    assert pack_plan(source=PackSource.open(root)).unchanged


def test_only_a_changed_picture_shows_the_lesson_changed(tmp_path: Path) -> None:
    from tests.learning.packfactory import png

    root = write_pack(tmp_path / "p")
    pack_import(source=PackSource.open(root), actor=None)
    (root / "courses/safety/media/pic.png").write_bytes(png(1200, 300))
    plan = pack_plan(source=PackSource.open(root))
    assert plan.of("lesson", "changed") == ["safety-lesson-1", "safety-lesson-2"]


def test_the_command_prints_the_changes_and_writes_nothing(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "p", lessons=3)
    call_command("content", "import", str(root), stdout=StringIO())
    _new_version(root)
    before = _snapshot()
    out = StringIO()
    call_command("content", "import", "--dry-run", str(root), stdout=out)
    assert out.getvalue().splitlines() == [
        "Content pack test-pack: 1.0 → 1.1.",
        "  ~ blueprint adults (changed)",
        "  + item t-002 (added)",
        "  ~ item t-001 (changed)",
        "  + lesson safety-lesson-4 (added)",
        "  - lesson safety-lesson-2 (archived)",
        "  ~ lesson safety-lesson-1 (changed)",
        "blueprints changed: 1, items added: 1, items changed: 1, lessons added: 1, "
        "lessons archived: 1, lessons changed: 1. (dry run: nothing written)",
    ]
    assert _snapshot() == before


def test_a_dry_run_of_a_broken_pack_lists_its_problems(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "p")
    replace(lesson_path(root, 1), 'competences: ["4.2"]', 'competences: ["9.9"]')
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("content", "import", str(root), "--dry-run", stderr=err)
    assert (
        "courses/safety/lessons/01-bai-1.md:5: unknown competence id '9.9'"
        in err.getvalue()
    )


def test_unchanged_pack_says_so(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "p")
    pack_import(source=PackSource.open(root), actor=None)
    copy = Path(shutil.copytree(root, tmp_path / "copy"))
    out = StringIO()
    call_command("content", "import", "--dry-run", str(copy), stdout=out)
    assert out.getvalue().strip() == (
        "Content pack test-pack: 1.0 → 1.0. Unchanged: nothing to import. "
        "(dry run: nothing written)"
    )
