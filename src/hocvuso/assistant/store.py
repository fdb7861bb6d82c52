"""Where the index lives: a JSON file in the data dir, rebuilt from the lessons.

``index_build`` reads the lessons of the imported packs (never exam items),
cuts them into passages and writes ``<HOCVUSO_ASSISTANT_DIR>/index.json``
(atomically: a temporary file renamed over the old one) with a new version
stamp. A pack import rebuilds only that pack's passages (the others are kept
from the file). Each process loads the file lazily and notices a newer build
by the file's modification stamp, checked at most once a second; with no file
yet it builds one from the database.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from hocvuso.assistant.index import AssistantIndex
from hocvuso.assistant.models import SynonymTable
from hocvuso.assistant.passages import LessonDoc, Passage, passages_of
from hocvuso.learning.models import Lesson
from hocvuso.learning.rendering import render_markdown
from hocvuso.packs.models import ContentPack
from hocvuso.packs.reader import PackData

FORMAT = 1
_CHECK_EVERY = 1.0  # seconds between two looks at the file's stamp


def index_path() -> Path:
    """Return the index file's path."""
    return Path(settings.HOCVUSO_ASSISTANT_DIR) / "index.json"


def lesson_docs(*, pack: str | None = None) -> list[LessonDoc]:
    """Return the published lessons (of one pack, or all) in each language.

    The index is shared by every learner, so it holds only what every learner
    may read: lessons of published packs and of national courses. A draft's
    lessons and a province's own courses stay out (until the index can filter
    its answers by the reader's province).
    """
    lessons = Lesson.objects.filter(
        archived=False,
        course__archived=False,
        course__province__isnull=True,
        course__pack__status=ContentPack.Status.PUBLISHED,
    )
    if pack is not None:
        lessons = lessons.filter(course__pack__slug=pack)
    docs = []
    for lesson in lessons.select_related("course__pack").order_by(
        "course__order", "course__slug", "order"
    ):
        for lang, title, html, checks in (
            ("vi", lesson.title_vi, lesson.html_vi, lesson.self_check_vi),
            ("en", lesson.title_en, lesson.html_en, lesson.self_check_en),
        ):
            if html:
                docs.append(
                    LessonDoc(
                        pack=lesson.course.pack.slug,
                        course=lesson.course.slug,
                        lesson=lesson.slug,
                        lang=lang,
                        title=title or lesson.title_vi,
                        html=html,
                        self_check=checks or [],
                    )
                )
    return docs


def pack_lesson_docs(data: PackData) -> list[LessonDoc]:
    """Return the lessons of a pack read from its files (no database)."""
    from hocvuso.learning.pack_sections import pack_courses

    docs = []
    for course in pack_courses(data):
        for lesson in course.lessons:
            for lang, body in lesson.body.items():
                docs.append(
                    LessonDoc(
                        pack=data.id,
                        course=course.id,
                        lesson=lesson.id,
                        lang=lang,
                        title=lesson.title.get(lang) or lesson.title.get("vi", ""),
                        html=render_markdown(body, image_url=lambda src: src)[0],
                        self_check=[
                            {"question": q.question, "explanation": q.explanation}
                            for q in lesson.self_check.get(lang, [])
                        ],
                    )
                )
    return docs


def synonym_groups() -> list[list[str]]:
    """Return the synonym groups of every imported pack."""
    return [
        list(g)
        for table in SynonymTable.objects.order_by("pack__slug")
        for g in table.groups
    ]


@dataclass(frozen=True)
class BuildStats:
    """What one build wrote."""

    version: str
    passages: int
    lessons: int


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if data.get("format") == FORMAT else None


def index_build(*, pack: str | None = None) -> BuildStats:
    """Write the index file from the database; only ``pack``'s passages if given."""
    path = index_path()
    kept: list[dict[str, Any]] = []
    if pack is not None:
        old = _read(path)
        if old is not None:
            kept = [p for p in old["passages"] if p["pack"] != pack]
    fresh = [p.as_dict() for p in passages_of(lesson_docs(pack=pack))]
    live = set(
        Lesson.objects.filter(archived=False, course__archived=False).values_list(
            "slug", flat=True
        )
    )
    passages = [p for p in kept if p["lesson"] in live] + fresh
    version = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}"
    body = {
        "format": FORMAT,
        "version": version,
        "synonyms": synonym_groups(),
        "passages": passages,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    # The building process reads the new file at its next question; others
    # notice the file's stamp within _CHECK_EVERY. Plain writes, no lock: this
    # also runs from inside _Loaded.get, which holds it.
    _loaded.checked, _loaded.stamp = 0.0, -1
    return BuildStats(version, len(passages), len({p["lesson"] for p in passages}))


def index_exists() -> bool:
    """Return whether an index file has been built."""
    return _read(index_path()) is not None


class _Loaded:
    """This process's copy of the index, reloaded when the file changes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index: AssistantIndex | None = None
        self.path: Path | None = None
        self.stamp: int = -1
        self.checked: float = 0.0

    def get(self) -> AssistantIndex:
        path = index_path()
        now = time.monotonic()
        with self.lock:
            if (
                self.index is not None
                and self.path == path
                and now - self.checked < _CHECK_EVERY
            ):
                return self.index
            self.checked = now
            try:
                stamp = path.stat().st_mtime_ns
            except OSError:
                index_build()
                stamp = path.stat().st_mtime_ns
            if self.index is None or self.path != path or stamp != self.stamp:
                data = _read(path)
                if data is None:
                    index_build()
                    data = _read(path) or {"passages": [], "synonyms": []}
                self.index = AssistantIndex(
                    [Passage.from_dict(p) for p in data["passages"]],
                    data["synonyms"],
                    version=str(data.get("version", "")),
                )
                self.path, self.stamp = path, stamp
            return self.index

    def forget(self) -> None:
        with self.lock:
            self.index, self.path, self.stamp = None, None, -1


_loaded = _Loaded()


def index_get() -> AssistantIndex:
    """Return this process's index, loading (or building) it if needed."""
    return _loaded.get()


def index_forget() -> None:
    """Drop this process's copy (tests; the next question loads the file)."""
    _loaded.forget()


def passages_from(docs: Iterable[LessonDoc]) -> list[Passage]:
    """Return the passages of ``docs`` (for the benchmark and tests)."""
    return passages_of(docs)
