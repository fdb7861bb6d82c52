"""The index is built from imported lessons only, and follows pack changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.learning.packfactory import write_pack

from hocvuso.assistant.models import SynonymTable
from hocvuso.assistant.passages import LessonDoc, lesson_passages
from hocvuso.assistant.store import index_build, index_get, index_path
from hocvuso.core.tasks import tasks_run_pending
from hocvuso.packs.seed import DEFAULT_PACK
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource

pytestmark = pytest.mark.django_db


def _item_texts() -> list[str]:
    texts = []
    for f in sorted((DEFAULT_PACK / "items").glob("*.yaml")):
        data = yaml.safe_load(f.read_text("utf-8"))
        items = data.get("items", data) if isinstance(data, dict) else data
        for item in items:
            for key in ("stem", "explanation"):
                field = item.get(key)
                for text in field.values() if isinstance(field, dict) else [field]:
                    if isinstance(text, str) and len(text) > 40:
                        texts.append(" ".join(text.split()))
    return texts


def test_exam_items_are_never_in_the_index(imported: None) -> None:
    stems = _item_texts()
    assert len(stems) > 50  # the pack's exam items were read
    data = json.loads(index_path().read_text("utf-8"))
    assert len(data["passages"]) > 500
    corpus = "\n".join(" ".join(p["text"].split()) for p in data["passages"])
    leaked = [s for s in stems if s in corpus]
    assert leaked == []
    # The search finds none of them verbatim either: the best hit is a lesson.
    index = index_get()
    for stem in stems[:5]:
        for hit in index.search(stem).hits:
            assert hit.passage.anchor is not None and hit.passage.lesson


def test_import_builds_index_with_synonyms_and_anchors(imported: None) -> None:
    table = SynonymTable.objects.get(pack__slug="hocvuso-default")
    assert ["bhyt", "bảo hiểm y tế"] in table.groups
    result = index_get().search("lam sao kich hoat tai khoan dinh danh muc 2")
    best = result.hits[0].passage
    assert result.confident and best.lesson == "vneid-level2"
    assert best.anchor and best.steps


def test_pack_change_rebuilds_that_pack_and_processes_notice(
    imported: None, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    before = index_get()
    root = write_pack(tmp_path / "p", lessons=1)
    with django_capture_on_commit_callbacks(execute=True):
        pack_import(source=PackSource.open(root), actor=None)
    assert tasks_run_pending() >= 1
    after = index_get()
    assert after is not before and after.version != before.version
    packs = {p.pack for ix in after.langs.values() for p in ix.passages}
    assert packs == {"hocvuso-default", "test-pack"}


def test_missing_index_is_built_on_first_question(imported: None) -> None:
    index_path().unlink()
    from hocvuso.assistant.store import index_forget

    index_forget()
    assert index_get().size > 500 and index_path().exists()


def test_build_only_one_pack_keeps_the_others(imported: None) -> None:
    full = index_build()
    again = index_build(pack="hocvuso-default")
    assert again.passages == full.passages and again.version != full.version


def test_passages_follow_headings_and_keep_numbered_steps() -> None:
    html = (
        '<p>Intro.</p><h2 id="buoc-1">Bước 1</h2><ol><li>Mở <strong>app</strong></li>'
        "<li>Chọn</li></ol><h3>Không có id</h3><ul><li>x</li></ul>"
    )
    doc = LessonDoc(
        "p", "c", "l", "vi", "T", html, [{"question": "Q?", "explanation": "E."}]
    )
    got = lesson_passages(doc)
    assert [(p.heading, p.anchor) for p in got] == [
        ("", ""),
        ("Bước 1", "buoc-1"),
        ("Không có id", "khong-co-id"),
        ("", "check-title"),
    ]
    assert got[1].steps == ["Mở app", "Chọn"] and got[2].steps == []
    assert got[3].text == "Q? E."
