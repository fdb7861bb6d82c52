"""Parse and validate content packs (see docs/content-packs.md).

``pack_read(source)`` returns the parsed pack and every problem found, each with
its file and line, so an author can fix them all in one pass. Nothing here
writes to the database; the importer (``services.pack_import``) refuses packs
with problems.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from markdown_it import MarkdownIt

from hocvuso.framework.selectors import framework_codes, target_group_slugs
from hocvuso.learning import yamlines
from hocvuso.learning.packs_assessment import AssessmentChecks
from hocvuso.learning.packsource import PackSource

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LESSON_FILE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
COMPETENCE_ID = re.compile(r"^\d\.\d$")
LESSON_KEYS = {
    "id",
    "title",
    "summary",
    "competences",
    "level",
    "minutes",
    "target_groups",
    "sources",
    "audio",
    "self_check",
}
TRANSLATION_KEYS = {"title", "summary", "self_check"}
IMAGE_EXT = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".svg"}
AUDIO_EXT = {".mp3", ".ogg", ".m4a", ".opus", ".wav"}


@dataclass(frozen=True, order=True)
class Issue:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class SelfCheck:
    question: str
    options: list[str]
    answer: int
    explanation: str


@dataclass
class LessonData:
    id: str
    order: int
    path: str
    level: str
    minutes: int
    competences: list[str]
    target_groups: list[str]
    sources: list[dict[str, str]]
    audio: str
    title: dict[str, str] = field(default_factory=dict)
    summary: dict[str, str] = field(default_factory=dict)
    body: dict[str, str] = field(default_factory=dict)
    self_check: dict[str, list[SelfCheck]] = field(default_factory=dict)
    images: list[str] = field(default_factory=list)


@dataclass
class CourseData:
    id: str
    order: int
    folder: str
    title: dict[str, str]
    summary: dict[str, str]
    target_groups: list[str]
    lessons: list[LessonData] = field(default_factory=list)


@dataclass
class PackData:
    id: str
    version: str
    framework: str
    languages: list[str]
    title: dict[str, str]
    license: str
    courses: list[CourseData] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    blueprints: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PackReport:
    pack: PackData | None
    issues: list[Issue]

    @property
    def ok(self) -> bool:
        return self.pack is not None and not self.issues


class _Checker(AssessmentChecks):
    def __init__(self, source: PackSource) -> None:
        self.source = source
        self.issues: list[Issue] = []
        self.competences: set[str] = set()
        self.levels: dict[str, int] = {}
        self.groups = target_group_slugs()
        self.languages: list[str] = ["vi"]

    def err(self, file: str, line: int, message: str) -> None:
        self.issues.append(Issue(file, line, message))

    def yaml(self, rel: str, text: str | None = None, offset: int = 0) -> Any:
        try:
            raw = self.source.text(rel) if text is None else text
        except UnicodeDecodeError:
            self.err(rel, 1, "file is not UTF-8 text")
            return None
        try:
            return yamlines.load(raw, line_offset=offset)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = (mark.line + 1 if mark else 1) + offset
            problem = getattr(exc, "problem", None) or str(exc)
            self.err(rel, line, f"invalid YAML: {problem}")
            return None

    # -- field checks -------------------------------------------------------------

    def text_map(
        self, rel: str, doc: yamlines.YamlDoc, node: Any, *path: str | int
    ) -> dict[str, str]:
        name = ".".join(str(p) for p in path)
        if not isinstance(node, dict):
            self.err(
                rel,
                doc.line(*path),
                f"'{name}' needs a text per language: {', '.join(self.languages)}",
            )
            return {}
        out: dict[str, str] = {}
        for lang in self.languages:
            value = node.get(lang)
            if not isinstance(value, str) or not value.strip():
                self.err(rel, doc.line(*path), f"missing translation: '{name}.{lang}'")
            else:
                out[lang] = value.strip()
        return out

    def groups_list(
        self, rel: str, doc: yamlines.YamlDoc, node: Any, *path: str | int
    ) -> list[str]:
        if not isinstance(node, list) or not node:
            self.err(rel, doc.line(*path), "'target_groups' must be a non-empty list")
            return []
        out = []
        for i, g in enumerate(node):
            g = str(g)
            if g != "all" and g not in self.groups:
                self.err(
                    rel,
                    doc.line(*path, i),
                    f"unknown target group '{g}' "
                    f"(known: all, {', '.join(sorted(self.groups))})",
                )
            out.append(g)
        return out

    def competence(self, rel: str, line: int, value: Any) -> str | None:
        if isinstance(value, float | int):
            self.err(rel, line, f'competence id {value} must be quoted: "{value}"')
            return None
        code = str(value)
        if code not in self.competences:
            self.err(rel, line, f"unknown competence id '{code}'")
            return None
        return code

    def level(self, rel: str, line: int, value: Any) -> str | None:
        code = str(value)
        if code not in self.levels:
            self.err(
                rel,
                line,
                f"unknown level '{code}' (use one of {', '.join(self.levels)})",
            )
            return None
        return code

    # -- pack parts ---------------------------------------------------------------

    def pack_meta(self) -> PackData | None:
        rel = "pack.yaml"
        if not self.source.exists(rel):
            self.err(rel, 1, "pack.yaml is missing at the top of the pack")
            return None
        doc = self.yaml(rel)
        if doc is None:
            return None
        data = doc.data
        if not isinstance(data, dict):
            self.err(rel, 1, "pack.yaml must be a mapping")
            return None
        for key in ("id", "version", "framework", "languages", "title"):
            if key not in data:
                self.err(rel, 1, f"missing '{key}'")
        pack_id = str(data.get("id", ""))
        if pack_id and not SLUG.match(pack_id):
            self.err(rel, doc.line("id"), f"pack id '{pack_id}' must be a slug")
        langs = data.get("languages")
        if isinstance(langs, list) and langs and all(isinstance(x, str) for x in langs):
            if langs[0] != "vi":
                self.err(rel, doc.line("languages"), "the first language must be 'vi'")
            self.languages = list(langs)
        elif "languages" in data:
            self.err(
                rel, doc.line("languages"), "'languages' must be a list like [vi, en]"
            )
        fw = str(data.get("framework", ""))
        codes = framework_codes(slug=fw) if fw else None
        if codes is None and fw:
            self.err(rel, doc.line("framework"), f"unknown framework '{fw}'")
        if codes is not None:
            self.competences, self.levels = codes
        title = self.text_map(rel, doc, data.get("title"), "title")
        return PackData(
            id=pack_id,
            version=str(data.get("version", "")),
            framework=fw,
            languages=self.languages,
            title=title,
            license=str(data.get("license", "")),
        )

    def course(self, folder: str, seen: dict[str, str]) -> CourseData | None:
        rel = f"{folder}/course.yaml"
        slug = folder.rsplit("/", 1)[-1]
        if not SLUG.match(slug):
            self.err(rel, 1, f"course folder '{slug}' must be a slug (a-z, 0-9, -)")
        if not self.source.exists(rel):
            self.err(rel, 1, "course.yaml is missing")
            return None
        doc = self.yaml(rel)
        if doc is None:
            return None
        data = doc.data if isinstance(doc.data, dict) else {}
        cid = str(data.get("id", ""))
        if not cid or not SLUG.match(cid):
            self.err(rel, doc.line("id"), "'id' must be a slug (a-z, 0-9, -)")
        elif cid in seen:
            self.err(
                rel,
                doc.line("id"),
                f"duplicate course id '{cid}' (also in {seen[cid]})",
            )
        else:
            seen[cid] = rel
        order = data.get("order")
        if not isinstance(order, int) or isinstance(order, bool):
            self.err(rel, doc.line("order"), "'order' must be a whole number")
            order = 0
        return CourseData(
            id=cid,
            order=order,
            folder=folder,
            title=self.text_map(rel, doc, data.get("title"), "title"),
            summary=self.text_map(rel, doc, data.get("summary"), "summary"),
            target_groups=self.groups_list(
                rel, doc, data.get("target_groups"), "target_groups"
            ),
        )

    def front_matter(self, rel: str) -> tuple[yamlines.YamlDoc | None, str, int]:
        try:
            text = self.source.text(rel)
        except UnicodeDecodeError:
            self.err(rel, 1, "file is not UTF-8 text")
            return None, "", 0
        if not text.startswith("---\n"):
            self.err(
                rel, 1, "a lesson must start with front matter between '---' lines"
            )
            return None, text, 0
        end = text.find("\n---\n", 4)
        if end < 0:
            self.err(rel, 1, "front matter is not closed with a '---' line")
            return None, text, 0
        fm = text[4 : end + 1]
        body_line = fm.count("\n") + 3
        doc = self.yaml(rel, fm, offset=1)
        if doc is not None and not isinstance(doc.data, dict):
            self.err(rel, 2, "front matter must be a mapping of keys")
            doc = None
        return doc, text[end + 5 :], body_line

    def self_checks(
        self, rel: str, doc: yamlines.YamlDoc, node: Any
    ) -> list[SelfCheck]:
        if not isinstance(node, list) or not 2 <= len(node) <= 5:
            self.err(rel, doc.line("self_check"), "'self_check' needs 2 to 5 questions")
            return []
        out = []
        for i, q in enumerate(node):
            line = doc.line("self_check", i)
            if not isinstance(q, dict):
                self.err(rel, line, f"self_check[{i}] must be a mapping")
                continue
            opts = q.get("options")
            ans = q.get("answer")
            if not isinstance(q.get("question"), str) or not q["question"].strip():
                self.err(rel, line, f"self_check[{i}] needs a 'question'")
            if (
                not isinstance(opts, list)
                or not 2 <= len(opts) <= 5
                or not all(isinstance(o, str | int | float) for o in opts)
            ):
                self.err(rel, line, f"self_check[{i}] needs 2 to 5 'options'")
                continue
            if (
                not isinstance(ans, int)
                or isinstance(ans, bool)
                or not 0 <= ans < len(opts)
            ):
                self.err(
                    rel,
                    doc.line("self_check", i, "answer"),
                    f"self_check[{i}].answer must be an index 0..{len(opts) - 1}",
                )
                continue
            out.append(
                SelfCheck(
                    str(q.get("question", "")).strip(),
                    [str(o) for o in opts],
                    ans,
                    str(q.get("explanation", "")).strip(),
                )
            )
        return out

    def body(self, rel: str, body: str, body_line: int, lesson: LessonData) -> None:
        if not body.strip():
            self.err(rel, body_line, "the lesson has no text after the front matter")
            return
        md = MarkdownIt("commonmark", {"html": False})
        for token in md.parse(body):
            for child in token.children or []:
                if child.type != "image":
                    continue
                src = str(child.attrs.get("src", ""))
                line = body_line + (token.map[0] if token.map else 0)
                if src.startswith(("http://", "https://")):
                    self.err(rel, line, f"image '{src}' must be a file in the pack")
                    continue
                target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), src))
                if posixpath.splitext(target)[1].lower() not in IMAGE_EXT:
                    self.err(rel, line, f"'{src}' is not an image file")
                elif not self.source.exists(target):
                    self.err(rel, line, f"broken image link '{src}'")
                elif target not in lesson.images:
                    lesson.images.append(target)

    def lesson(self, course: CourseData, rel: str, seen: dict[str, str]) -> None:
        name = rel.rsplit("/", 1)[-1]
        match = LESSON_FILE.match(name)
        if not match:
            self.err(rel, 1, "lesson file names look like '01-my-lesson.md'")
            return
        doc, body, body_line = self.front_matter(rel)
        if doc is None:
            return
        d = doc.data
        for key in sorted(set(d) - LESSON_KEYS):
            self.err(rel, doc.line(key), f"unknown key '{key}'")
        for key in ("id", "title", "competences", "level", "minutes", "sources"):
            if key not in d:
                self.err(rel, 2, f"missing '{key}'")
        lid = str(d.get("id", ""))
        if lid and not SLUG.match(lid):
            self.err(rel, doc.line("id"), "'id' must be a slug (a-z, 0-9, -)")
        elif lid in seen:
            self.err(
                rel,
                doc.line("id"),
                f"duplicate lesson id '{lid}' (also in {seen[lid]})",
            )
        elif lid:
            seen[lid] = rel
        comps: list[str] = []
        raw = d.get("competences")
        if "competences" in d and (not isinstance(raw, list) or not 1 <= len(raw) <= 4):
            self.err(rel, doc.line("competences"), "'competences' must list 1 to 4 ids")
        elif isinstance(raw, list):
            for i, c in enumerate(raw):
                code = self.competence(rel, doc.line("competences", i), c)
                if code:
                    comps.append(code)
        level = (
            self.level(rel, doc.line("level"), d.get("level")) if "level" in d else None
        )
        minutes = d.get("minutes", 0)
        if "minutes" in d and (
            not isinstance(minutes, int)
            or isinstance(minutes, bool)
            or not 1 <= minutes <= 60
        ):
            self.err(rel, doc.line("minutes"), "'minutes' must be a whole number 1..60")
            minutes = 0
        sources: list[dict[str, str]] = []
        raw_sources = d.get("sources")
        if "sources" in d and (not isinstance(raw_sources, list) or not raw_sources):
            self.err(
                rel, doc.line("sources"), "'sources' must list at least one source"
            )
        elif isinstance(raw_sources, list):
            for i, s in enumerate(raw_sources):
                if (
                    not isinstance(s, dict)
                    or not str(s.get("title", "")).strip()
                    or not str(s.get("url", "")).startswith(("https://", "http://"))
                ):
                    self.err(
                        rel,
                        doc.line("sources", i),
                        f"sources[{i}] needs a 'title' and an http(s) 'url'",
                    )
                else:
                    sources.append({"title": str(s["title"]), "url": str(s["url"])})
        audio = str(d.get("audio") or "")
        if audio:
            target = posixpath.normpath(posixpath.join(course.folder, audio))
            if posixpath.splitext(target)[1].lower() not in AUDIO_EXT:
                self.err(rel, doc.line("audio"), f"'{audio}' is not an audio file")
            elif not self.source.exists(target):
                self.err(rel, doc.line("audio"), f"audio file '{audio}' not found")
            audio = target
        for key in ("title", "summary"):
            if key in d and not isinstance(d[key], str):
                self.err(rel, doc.line(key), f"'{key}' must be text")
        lesson = LessonData(
            id=lid,
            order=int(match.group(1)),
            path=rel,
            level=level or "",
            minutes=int(minutes or 0),
            competences=comps,
            target_groups=self.groups_list(
                rel, doc, d.get("target_groups", ["all"]), "target_groups"
            ),
            sources=sources,
            audio=audio,
        )
        primary = self.languages[0]
        lesson.title[primary] = str(d.get("title", "")).strip()
        lesson.summary[primary] = str(d.get("summary", "") or "").strip()
        lesson.self_check[primary] = self.self_checks(rel, doc, d.get("self_check"))
        lesson.body[primary] = body
        self.body(rel, body, body_line, lesson)
        for lang in self.languages[1:]:
            self.translation(lesson, lang)
        course.lessons.append(lesson)

    def translation(self, lesson: LessonData, lang: str) -> None:
        rel = lesson.path[: -len(".md")] + f".{lang}.md"
        if not self.source.exists(rel):
            self.err(lesson.path, 1, f"missing translation: {rel.rsplit('/', 1)[-1]}")
            return
        doc, body, body_line = self.front_matter(rel)
        if doc is None:
            return
        d = doc.data
        for key in sorted(set(d) - TRANSLATION_KEYS):
            self.err(
                rel,
                doc.line(key),
                f"unknown key '{key}' (a translation holds only "
                "title, summary, self_check)",
            )
        title = d.get("title")
        if not isinstance(title, str) or not title.strip():
            self.err(rel, 2, "missing 'title'")
        lesson.title[lang] = str(title or "").strip()
        lesson.summary[lang] = str(d.get("summary", "") or "").strip()
        primary = lesson.self_check.get(self.languages[0], [])
        checks = self.self_checks(rel, doc, d.get("self_check")) if primary else []
        if primary and len(checks) == len(primary):
            for i, (a, b) in enumerate(zip(primary, checks, strict=True)):
                if (a.answer, len(a.options)) != (b.answer, len(b.options)):
                    self.err(
                        rel,
                        doc.line("self_check", i),
                        f"self_check[{i}] must have the same options and answer "
                        "as the Vietnamese lesson",
                    )
        elif primary and checks:
            self.err(
                rel,
                doc.line("self_check"),
                "self_check must have as many questions as the Vietnamese lesson",
            )
        lesson.self_check[lang] = checks
        lesson.body[lang] = body
        self.body(rel, body, body_line, lesson)


def pack_read(source: PackSource) -> PackReport:
    """Parse ``source`` and return the pack with every problem found."""
    checker = _Checker(source)
    pack = checker.pack_meta()
    if pack is None:
        return PackReport(None, sorted(checker.issues))
    seen_courses: dict[str, str] = {}
    seen_lessons: dict[str, str] = {}
    folders = sorted(
        {rel.rsplit("/", 1)[0] for rel in source.glob("courses/", "course.yaml")}
        | {"/".join(rel.split("/")[:2]) for rel in source.glob("courses/", ".md")}
    )
    for folder in folders:
        course = checker.course(folder, seen_courses)
        if course is None:
            continue
        lesson_files = [
            rel
            for rel in source.glob(f"{folder}/lessons/", ".md")
            if rel.count(".") == 1
        ]
        if not lesson_files:
            checker.err(f"{folder}/course.yaml", 1, "the course has no lessons")
        for rel in lesson_files:
            checker.lesson(course, rel, seen_lessons)
        for rel in source.glob(f"{folder}/lessons/", ".md"):
            stem, _, rest = rel.rpartition("/")[2].partition(".")
            lang = rest[: -len(".md")] if rest.count(".") == 1 else ""
            if lang and lang not in checker.languages:
                checker.err(rel, 1, f"language '{lang}' is not listed in pack.yaml")
            elif lang and not source.exists(f"{folder}/lessons/{stem}.md"):
                checker.err(
                    rel, 1, f"translation without a Vietnamese lesson {stem}.md"
                )
        pack.courses.append(course)
    if not pack.courses:
        checker.err(
            "pack.yaml", 1, "the pack has no courses (courses/<id>/course.yaml)"
        )
    checker.items(pack)
    checker.blueprints(pack)
    return PackReport(pack, sorted(set(checker.issues)))
