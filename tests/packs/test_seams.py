"""A new app plugs into packs and seeding by creating its own folder.

``tests.packs.exampleapp`` defines a ``pack_sections.py`` and a ``seed.py``
and nothing else: adding it to ``INSTALLED_APPS`` is enough for packs to read,
check and import its section, and for ``hocvuso init`` to run its seed step.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import modify_settings
from tests.learning.packfactory import write_pack

from hocvuso.core.models import AuditLog
from hocvuso.core.seeding import SeedContext, seed_all, seed_steps
from hocvuso.packs.errors import PackInvalid
from hocvuso.packs.reader import pack_read
from hocvuso.packs.sections import (
    PackSection,
    SectionOrderError,
    _ordered,
    pack_sections,
)
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource

EXAMPLE = "tests.packs.exampleapp"
CHECKLIST = """\
title:
  vi: Thăm hộ gia đình
  en: Household visit
steps:
  - Hỏi về điện thoại
"""


@pytest.fixture
def example_app() -> Iterator[None]:
    with modify_settings(INSTALLED_APPS={"append": EXAMPLE}):
        yield


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: object) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]


def _pack(root: Path, checklist: str = CHECKLIST) -> PackSource:
    write_pack(root)
    (root / "checklists").mkdir()
    (root / "checklists" / "visit.yaml").write_text(checklist, encoding="utf-8")
    return PackSource.open(root)


def test_sections_of_the_shipped_apps_in_order() -> None:
    keys = [s.key for s in pack_sections()]
    assert keys == ["courses", "items", "blueprints", "synonyms"]


@pytest.mark.usefixtures("example_app")
def test_a_new_apps_section_is_found_and_ordered_after_what_it_needs() -> None:
    keys = [s.key for s in pack_sections()]
    assert keys.index("checklists") > keys.index("courses")


@pytest.mark.usefixtures("example_app")
def test_a_new_apps_section_reports_problems_with_file_and_line(
    tmp_path: Path,
) -> None:
    source = _pack(tmp_path / "p", CHECKLIST.replace("  en: Household visit\n", ""))
    report = pack_read(source, database=False)
    assert [str(i) for i in report.issues] == [
        "checklists/visit.yaml:1: missing translation: 'title.en'"
    ]
    source = _pack(tmp_path / "q", "title: {vi: a, en: b}\nsteps: []\n")
    report = pack_read(source, database=False)
    assert [str(i) for i in report.issues] == [
        "checklists/visit.yaml:2: 'steps' must be a non-empty list"
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("example_app")
def test_a_new_apps_section_writes_in_the_import_and_runs_after_commit(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.packs.exampleapp import pack_sections as example

    example.COMMITTED.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        result = pack_import(source=_pack(tmp_path / "p"), actor=None)
    assert example.COMMITTED == []  # not before the commit
    for callback in callbacks:
        callback()
    assert result.count("checklists") == 1 and result.count("lessons_created") == 2
    assert AuditLog.objects.filter(action="example.checklist").count() == 1
    audit = AuditLog.objects.get(action="content_pack.import")
    assert audit.after is not None and audit.after["checklists"] == 1
    assert example.COMMITTED == ["test-pack"]


@pytest.mark.django_db
def test_without_the_app_its_files_are_ignored(tmp_path: Path) -> None:
    result = pack_import(source=_pack(tmp_path / "p"), actor=None)
    assert "checklists" not in result.counts
    assert not AuditLog.objects.filter(action="example.checklist").exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("example_app")
def test_an_invalid_section_imports_nothing(tmp_path: Path) -> None:
    source = _pack(tmp_path / "p", "title: {vi: a, en: b}\n")
    with pytest.raises(PackInvalid) as exc:
        pack_import(source=source, actor=None)
    assert [str(i) for i in exc.value.issues] == [
        "checklists/visit.yaml:1: a checklist needs 'steps'"
    ]
    assert not AuditLog.objects.filter(action="content_pack.import").exists()


class _Needs(PackSection):
    key = "a"
    after = ("b",)


class _Needed(PackSection):
    key = "b"
    after = ("a",)


class _Missing(PackSection):
    key = "c"
    after = ("nowhere",)


def test_section_order_errors_are_named() -> None:
    with pytest.raises(SectionOrderError, match="wait for each other: a → b → a"):
        _ordered([_Needs(), _Needed()])
    with pytest.raises(SectionOrderError, match="'nowhere', which no installed app"):
        _ordered([_Missing()])
    with pytest.raises(SectionOrderError, match="share the key a"):
        _ordered([_Needs(), _Needs()])


def test_seed_steps_follow_the_installed_apps() -> None:
    assert [s.app for s in seed_steps()] == [
        "geo",
        "framework",
        "packs",
        "accounts",
        "credentials",
        "programs",
        "assistant",
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("example_app")
def test_a_new_apps_seed_step_runs_once_per_init_and_is_idempotent() -> None:
    assert seed_steps()[-1].app == "exampleapp"
    out = StringIO()
    call_command("init", "--no-static", "--no-content", stdout=out)
    assert "example seeded" in out.getvalue()
    lines: list[str] = []
    seed_all(SeedContext(write=lines.append, options={"no_content": True}))
    assert "example unchanged" in lines
    assert AuditLog.objects.filter(action="example.seeded").count() == 1
