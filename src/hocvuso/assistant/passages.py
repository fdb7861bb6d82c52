"""Lessons cut into passages: one per heading section, plus the self-check.

What the assistant indexes comes only from lessons (their sanitised HTML, as
the lesson page shows it, and the explanations of their self-check). Exam
items (a pack's ``items/``) are never read here: they live in another app's
tables, and ``tests/assistant/test_index.py`` proves none of their text is in
the index.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from hocvuso.learning.rendering import heading_anchor

_HEADING = re.compile(r"<h([234])(?: id=\"([^\"]*)\")?>(.*?)</h\1>", re.S)
_LIST_ITEM = re.compile(r"<li>(.*?)</li>", re.S)
_ORDERED = re.compile(r"<ol[^>]*>(.*?)</ol>", re.S)
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
CHECK_ANCHOR = "check-title"  # the lesson page's self-check section


def _plain(fragment: str) -> str:
    return html_lib.unescape(_SPACE.sub(" ", _TAGS.sub(" ", fragment))).strip()


@dataclass(frozen=True)
class LessonDoc:
    """What the index needs of one lesson in one language."""

    pack: str
    course: str
    lesson: str
    lang: str
    title: str
    html: str
    self_check: Sequence[dict[str, Any]] = ()


@dataclass
class Passage:
    """One section of a lesson: what is searched and what an answer quotes."""

    pack: str
    course: str
    lesson: str
    lang: str
    title: str
    heading: str
    anchor: str
    text: str
    steps: list[str] = field(default_factory=list)  # a numbered list's items

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Passage:
        return cls(**data)


def lesson_passages(doc: LessonDoc) -> list[Passage]:
    """Return the passages of one lesson: its intro, each section, its self-check."""
    out: list[Passage] = []
    heads = list(_HEADING.finditer(doc.html))
    taken: set[str] = set()
    bounds = [(0, None)] + [(m.end(), m) for m in heads]
    for i, (start, head) in enumerate(bounds):
        end = heads[i].start() if i < len(heads) else len(doc.html)
        body = doc.html[start:end]
        text = _plain(body)
        heading = _plain(head.group(3)) if head else ""
        if head is None:
            anchor = ""
        else:
            anchor = head.group(2) or heading_anchor(heading, taken)
            taken.add(anchor)
        if not text and not heading:
            continue
        ordered = _ORDERED.search(body)
        items = _LIST_ITEM.findall(ordered.group(1)) if ordered else []
        out.append(
            Passage(
                pack=doc.pack,
                course=doc.course,
                lesson=doc.lesson,
                lang=doc.lang,
                title=doc.title,
                heading=heading,
                anchor=anchor,
                text=text,
                steps=[_plain(item) for item in items][:12],
            )
        )
    checks = [
        " ".join(
            part
            for part in (str(q.get("question", "")), str(q.get("explanation", "")))
            if part
        )
        for q in doc.self_check
    ]
    if any(checks):
        out.append(
            Passage(
                pack=doc.pack,
                course=doc.course,
                lesson=doc.lesson,
                lang=doc.lang,
                title=doc.title,
                heading="",
                anchor=CHECK_ANCHOR,
                text=" ".join(c for c in checks if c),
            )
        )
    return out


def passages_of(docs: Iterable[LessonDoc]) -> list[Passage]:
    """Return the passages of every lesson in ``docs``."""
    return [p for doc in docs for p in lesson_passages(doc)]
