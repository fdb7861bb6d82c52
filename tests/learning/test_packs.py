"""The validator finds each kind of mistake, with file and line."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from tests.learning.packfactory import lesson_path, replace, write_pack

from hocvuso.assessment.pack_sections import pack_blueprints, pack_items
from hocvuso.learning.pack_sections import pack_courses
from hocvuso.packs.reader import pack_read
from hocvuso.packs.source import PackSource, PackSourceError

pytestmark = pytest.mark.django_db
DEFAULT = Path(__file__).resolve().parents[2] / "src/hocvuso/content/default"


def issues(root: Path) -> list[str]:
    return [str(i) for i in pack_read(PackSource.open(root)).issues]


def test_fixture_pack_is_valid(tmp_path: Path) -> None:
    report = pack_read(PackSource.open(write_pack(tmp_path)))
    assert report.issues == [] and report.ok
    assert report.pack is not None
    lesson = pack_courses(report.pack)[0].lessons[0]
    assert lesson.title == {"vi": "Bài 1", "en": "Lesson 1"}
    assert lesson.images == ["courses/safety/media/pic.png"]
    assert len(pack_items(report.pack)) == 1 and len(pack_blueprints(report.pack)) == 1


def test_default_pack_is_valid_and_complete() -> None:
    report = pack_read(PackSource.open(DEFAULT))
    assert report.issues == []
    pack = report.pack
    assert pack is not None
    lessons = [lesson for c in pack_courses(pack) for lesson in c.lessons]
    assert len(pack_courses(pack)) >= 12 and len(lessons) >= 60
    assert all(
        lesson.self_check["vi"] and lesson.self_check["en"] for lesson in lessons
    )
    assert all(lesson.sources for lesson in lessons)
    basic = {
        c
        for lesson in lessons
        if lesson.level in ("CB1", "CB2")
        for c in lesson.competences
    }
    all_24 = {
        f"{d}.{i}"
        for d, n in [(1, 3), (2, 6), (3, 4), (4, 4), (5, 4), (6, 3)]
        for i in range(1, n + 1)
    }
    assert all_24 - basic == set()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'competences: ["4.2"]',
            'competences: ["9.9"]',
            "01-bai-1.md:5: unknown competence id '9.9'",
        ),
        (
            'competences: ["4.2"]',
            "competences: [4.2]",
            '01-bai-1.md:5: competence id 4.2 must be quoted: "4.2"',
        ),
        ("level: CB1", "level: XX9", "01-bai-1.md:6: unknown level 'XX9'"),
        (
            "minutes: 5",
            "minutes: five",
            "01-bai-1.md:7: 'minutes' must be a whole number 1..60",
        ),
        (
            "target_groups: [all]",
            "target_groups: [aliens]",
            "01-bai-1.md:8: unknown target group 'aliens'",
        ),
        (
            "    answer: 2",
            "    answer: 7",
            "01-bai-1.md:19: self_check[1].answer must be an index 0..2",
        ),
        (
            "    url: https://example.vn/nguon",
            "    url: nguon",
            "01-bai-1.md:10: sources[0] needs a 'title' and an http(s) 'url'",
        ),
        (
            "../media/pic.png",
            "../media/missing.png",
            "01-bai-1.md:25: broken image link '../media/missing.png'",
        ),
        (
            "minutes: 5",
            "minutes: 5\ncolour: red",
            "01-bai-1.md:8: unknown key 'colour'",
        ),
        ("title: Bài 1", "title: [Bài 1", "01-bai-1.md:4: invalid YAML"),
    ],
)
def test_lesson_mistakes_are_reported_with_line(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    root = write_pack(tmp_path)
    replace(lesson_path(root), old, new)
    found = issues(root)
    assert any(expected in i for i in found), found


def test_missing_translation_is_reported(tmp_path: Path) -> None:
    root = write_pack(tmp_path)
    lesson_path(root, 2, "en").unlink()
    assert (
        "courses/safety/lessons/02-bai-2.md:1: missing translation: 02-bai-2.en.md"
        in issues(root)
    )


def test_translation_must_match_self_check(tmp_path: Path) -> None:
    root = write_pack(tmp_path)
    replace(lesson_path(root, 1, "en"), "    answer: 2", "    answer: 1")
    assert any("same options and answer" in i for i in issues(root))


def test_missing_course_translation(tmp_path: Path) -> None:
    root = write_pack(tmp_path)
    replace(root / "courses/safety/course.yaml", ", en: Safety}", "}")
    assert "courses/safety/course.yaml:3: missing translation: 'title.en'" in issues(
        root
    )


def test_duplicate_lesson_id(tmp_path: Path) -> None:
    root = write_pack(tmp_path)
    replace(lesson_path(root, 2), "id: safety-lesson-2", "id: safety-lesson-1")
    assert any("duplicate lesson id 'safety-lesson-1'" in i for i in issues(root))


def test_duplicate_course_id(tmp_path: Path) -> None:
    root = write_pack(tmp_path)
    other = root / "courses/other"
    (other / "lessons").mkdir(parents=True)
    (other / "course.yaml").write_text(
        (root / "courses/safety/course.yaml").read_text("utf-8"), "utf-8"
    )
    assert any("duplicate course id 'safety'" in i for i in issues(root))


def test_item_and_blueprint_schema(tmp_path: Path) -> None:
    root = write_pack(tmp_path)
    replace(root / "items/safety.yaml", "    key: b", "    key: z")
    replace(root / "blueprints.yaml", "pass_level: CB2", "pass_level: ZZ")
    found = issues(root)
    assert (
        "items/safety.yaml:13: 'key' must be one of the option ids (a, b, c)" in found
    )
    levels = "CB1, CB2, TC1, TC2, NC1, NC2, CS1, CS2"
    assert f"blueprints.yaml:4: unknown level 'ZZ' (use one of {levels})" in found


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "exposure: randomsque",
            "blueprints.yaml:8: blueprint 'adults': 'exposure' is one of eligibility,"
            " sympson_hetter, randomesque, progressive, none",
        ),
        (
            "selection: best",
            "blueprints.yaml:8: 'selection' is one of mfi, kl, astrat, shadow",
        ),
        (
            "min_correct: 0",
            "blueprints.yaml:8: 'min_correct' needs a whole number from 1 to 100",
        ),
        (
            "field_test_slots: 4",
            "blueprints.yaml:8: 'field_test_slots' needs a whole number from 0 to 3",
        ),
        (
            "time_limit_minutes: forty",
            "blueprints.yaml:8: 'time_limit_minutes' needs a whole number from 1 to"
            " 1440",
        ),
        (
            "retake_cooldown_days: -1",
            "blueprints.yaml:8: 'retake_cooldown_days' needs a whole number from 0 to"
            " 3650",
        ),
        (
            "stopping: {se: 0.3, confidence: 1.5}",
            "blueprints.yaml:2: blueprint 'adults': confidence must lie in (0, 1)",
        ),
    ],
)
def test_blueprint_settings_are_checked(
    tmp_path: Path, setting: str, message: str
) -> None:
    root = write_pack(tmp_path)
    with (root / "blueprints.yaml").open("a", encoding="utf-8") as fh:
        fh.write(f"    {setting}\n")
    assert issues(root) == [message]


def test_blueprint_content_area_must_be_a_domain(tmp_path: Path) -> None:
    root = write_pack(tmp_path)
    replace(root / "blueprints.yaml", '"4": {min: 2, max: 8}', '"9": {min: 2, max: 8}')
    assert issues(root) == [
        "blueprints.yaml:7: content area '9' is not a domain of the framework"
        " (use 1, 2, 3, 4, 5, 6)"
    ]


FIXED = """\
blueprints:
  - target_group: adults
    mode: fixed
    pass_level: CB2
"""


def test_fixed_blueprint_lists_its_items(tmp_path: Path) -> None:
    root = write_pack(tmp_path)
    (root / "blueprints.yaml").write_text(FIXED + "    items: [t-001]\n")
    report = pack_read(PackSource.open(root))
    assert report.issues == []
    assert report.pack is not None and pack_blueprints(report.pack)[0]["items"] == [
        "t-001"
    ]


@pytest.mark.parametrize(
    ("extra", "found"),
    [
        (
            "",
            [
                "blueprints.yaml:2: a fixed blueprint lists its 'items'"
                " (item ids, in order)"
            ],
        ),
        ("    items: [t-001, t-002]\n", ["blueprints.yaml:5: unknown item 't-002'"]),
        (
            "    items: [t-001, t-001]\n",
            ["blueprints.yaml:5: item 't-001' is listed twice"],
        ),
        (
            "    items: [t-001]\n    exposure: none\n    length: {min: 1, max: 1}\n",
            [
                "blueprints.yaml:6: 'exposure' applies to adaptive blueprints only",
                "blueprints.yaml:7: 'length' applies to adaptive blueprints only",
            ],
        ),
    ],
)
def test_fixed_blueprint_mistakes(tmp_path: Path, extra: str, found: list[str]) -> None:
    root = write_pack(tmp_path)
    (root / "blueprints.yaml").write_text(FIXED + extra)
    assert issues(root) == found


def test_adaptive_blueprint_cannot_list_items(tmp_path: Path) -> None:
    root = write_pack(tmp_path)
    with (root / "blueprints.yaml").open("a", encoding="utf-8") as fh:
        fh.write("    items: [t-001]\n")
    assert issues(root) == [
        "blueprints.yaml:8: only a fixed blueprint lists its 'items'"
    ]


def test_missing_pack_yaml(tmp_path: Path) -> None:
    root = write_pack(tmp_path)
    (root / "pack.yaml").unlink()
    assert issues(root) == ["pack.yaml:1: pack.yaml is missing at the top of the pack"]


def _zip(root: Path, prefix: str = "pack/") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for p in root.rglob("*"):
            if p.is_file():
                zf.write(p, prefix + p.relative_to(root).as_posix())
    return out.getvalue()


def test_zip_pack_with_top_folder_is_read(tmp_path: Path) -> None:
    data = _zip(write_pack(tmp_path / "p"))
    assert pack_read(PackSource.from_zip(data)).ok


def test_zip_with_unsafe_path_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("../evil.txt", "x")
    with pytest.raises(PackSourceError, match="unsafe path"):
        PackSource.from_zip(out.getvalue())


def test_validate_command_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_pack(tmp_path)
    call_command("content", "validate", str(root))
    assert "valid" in capsys.readouterr().out
    replace(lesson_path(root), 'competences: ["4.2"]', 'competences: ["7.1"]')
    with pytest.raises(SystemExit) as exc:
        call_command("content", "validate", str(root))
    assert exc.value.code == 1
    assert "unknown competence id '7.1'" in capsys.readouterr().err
