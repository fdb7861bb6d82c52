"""Courses and lessons in content packs: the learning app's pack section.

Reads ``courses/<id>/course.yaml`` and the lessons in Markdown with front
matter (and their translations ``NN-slug.<lang>.md``), checks every field with
its file and line, and imports them: courses and lessons are matched by their
stable ids and updated in place; those missing from a new version are
archived, never deleted, so learners' progress is kept.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from markdown_it import MarkdownIt

from hocvuso.framework.models import Competence, Level, TargetGroup
from hocvuso.geo.models import Province
from hocvuso.learning.models import Course, Lesson
from hocvuso.learning.rendering import render_markdown
from hocvuso.packs import yamlines
from hocvuso.packs.errors import Issue
from hocvuso.packs.languages import is_partial
from hocvuso.packs.media import media_store, media_url_of, svg_problem
from hocvuso.packs.reader import SLUG, PackData, PackReader
from hocvuso.packs.sections import ImportContext, PackChange, PackSection
from hocvuso.packs.source import PackSource

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
    #: In a provincial pack: shown to every learner, not only the province's.
    national: bool = False
    lessons: list[LessonData] = field(default_factory=list)


@dataclass
class CoursesPart:
    """The courses of a pack, with their lessons."""

    courses: list[CourseData]


def pack_courses(pack: PackData) -> list[CourseData]:
    """Return the courses read from ``pack``."""
    return pack.part(CoursesSection.key, CoursesPart).courses


class _CourseReader:
    def __init__(self, reader: PackReader) -> None:
        self.r = reader

    def course(self, folder: str, seen: dict[str, str]) -> CourseData | None:
        rel = f"{folder}/course.yaml"
        slug = folder.rsplit("/", 1)[-1]
        if not SLUG.match(slug):
            self.r.err(rel, 1, f"course folder '{slug}' must be a slug (a-z, 0-9, -)")
        if not self.r.source.exists(rel):
            self.r.err(rel, 1, "course.yaml is missing")
            return None
        doc = self.r.yaml(rel)
        if doc is None:
            return None
        data = doc.data if isinstance(doc.data, dict) else {}
        cid = str(data.get("id", ""))
        if not cid or not SLUG.match(cid):
            self.r.err(rel, doc.line("id"), "'id' must be a slug (a-z, 0-9, -)")
        elif cid in seen:
            self.r.err(
                rel,
                doc.line("id"),
                f"duplicate course id '{cid}' (also in {seen[cid]})",
            )
        else:
            seen[cid] = rel
        order = data.get("order")
        if not isinstance(order, int) or isinstance(order, bool):
            self.r.err(rel, doc.line("order"), "'order' must be a whole number")
            order = 0
        national = data.get("national", False)
        if not isinstance(national, bool):
            self.r.err(rel, doc.line("national"), "'national' must be true or false")
            national = False
        return CourseData(
            national=national,
            id=cid,
            order=order,
            folder=folder,
            title=self.r.text_map(rel, doc, data.get("title"), "title"),
            summary=self.r.text_map(rel, doc, data.get("summary"), "summary"),
            target_groups=self.r.groups_list(
                rel, doc, data.get("target_groups"), "target_groups"
            ),
        )

    def front_matter(self, rel: str) -> tuple[yamlines.YamlDoc | None, str, int]:
        try:
            text = self.r.source.text(rel)
        except UnicodeDecodeError:
            self.r.err(rel, 1, "file is not UTF-8 text")
            return None, "", 0
        if not text.startswith("---\n"):
            self.r.err(
                rel, 1, "a lesson must start with front matter between '---' lines"
            )
            return None, text, 0
        end = text.find("\n---\n", 4)
        if end < 0:
            self.r.err(rel, 1, "front matter is not closed with a '---' line")
            return None, text, 0
        fm = text[4 : end + 1]
        body_line = fm.count("\n") + 3
        doc = self.r.yaml(rel, fm, offset=1)
        if doc is not None and not isinstance(doc.data, dict):
            self.r.err(rel, 2, "front matter must be a mapping of keys")
            doc = None
        return doc, text[end + 5 :], body_line

    def self_checks(
        self, rel: str, doc: yamlines.YamlDoc, node: Any
    ) -> list[SelfCheck]:
        if not isinstance(node, list) or not 2 <= len(node) <= 5:
            self.r.err(
                rel, doc.line("self_check"), "'self_check' needs 2 to 5 questions"
            )
            return []
        out = []
        for i, q in enumerate(node):
            line = doc.line("self_check", i)
            if not isinstance(q, dict):
                self.r.err(rel, line, f"self_check[{i}] must be a mapping")
                continue
            opts = q.get("options")
            ans = q.get("answer")
            if not isinstance(q.get("question"), str) or not q["question"].strip():
                self.r.err(rel, line, f"self_check[{i}] needs a 'question'")
            if (
                not isinstance(opts, list)
                or not 2 <= len(opts) <= 5
                or not all(isinstance(o, str | int | float) for o in opts)
            ):
                self.r.err(rel, line, f"self_check[{i}] needs 2 to 5 'options'")
                continue
            if (
                not isinstance(ans, int)
                or isinstance(ans, bool)
                or not 0 <= ans < len(opts)
            ):
                self.r.err(
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
            self.r.err(rel, body_line, "the lesson has no text after the front matter")
            return
        md = MarkdownIt("commonmark", {"html": False})
        for token in md.parse(body):
            for child in token.children or []:
                if child.type != "image":
                    continue
                src = str(child.attrs.get("src", ""))
                line = body_line + (token.map[0] if token.map else 0)
                if src.startswith(("http://", "https://")):
                    self.r.err(rel, line, f"image '{src}' must be a file in the pack")
                    continue
                target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), src))
                if posixpath.splitext(target)[1].lower() not in IMAGE_EXT:
                    self.r.err(rel, line, f"'{src}' is not an image file")
                elif not self.r.source.exists(target):
                    self.r.err(rel, line, f"broken image link '{src}'")
                elif target.lower().endswith(".svg") and (
                    unsafe := svg_problem(self.r.source.files[target])
                ):
                    self.r.err(target, 1, unsafe)
                elif target not in lesson.images:
                    lesson.images.append(target)

    def lesson(self, course: CourseData, rel: str, seen: dict[str, str]) -> None:
        name = rel.rsplit("/", 1)[-1]
        match = LESSON_FILE.match(name)
        if not match:
            self.r.err(rel, 1, "lesson file names look like '01-my-lesson.md'")
            return
        doc, body, body_line = self.front_matter(rel)
        if doc is None:
            return
        d = doc.data
        for key in sorted(set(d) - LESSON_KEYS):
            self.r.err(rel, doc.line(key), f"unknown key '{key}'")
        for key in ("id", "title", "competences", "level", "minutes", "sources"):
            if key not in d:
                self.r.err(rel, 2, f"missing '{key}'")
        lid = str(d.get("id", ""))
        if lid and not SLUG.match(lid):
            self.r.err(rel, doc.line("id"), "'id' must be a slug (a-z, 0-9, -)")
        elif lid in seen:
            self.r.err(
                rel,
                doc.line("id"),
                f"duplicate lesson id '{lid}' (also in {seen[lid]})",
            )
        elif lid:
            seen[lid] = rel
        comps: list[str] = []
        raw = d.get("competences")
        if "competences" in d and (not isinstance(raw, list) or not 1 <= len(raw) <= 4):
            self.r.err(
                rel, doc.line("competences"), "'competences' must list 1 to 4 ids"
            )
        elif isinstance(raw, list):
            for i, c in enumerate(raw):
                code = self.r.competence(rel, doc.line("competences", i), c)
                if code:
                    comps.append(code)
        level = (
            self.r.level(rel, doc.line("level"), d.get("level"))
            if "level" in d
            else None
        )
        minutes = d.get("minutes", 0)
        if "minutes" in d and (
            not isinstance(minutes, int)
            or isinstance(minutes, bool)
            or not 1 <= minutes <= 60
        ):
            self.r.err(
                rel, doc.line("minutes"), "'minutes' must be a whole number 1..60"
            )
            minutes = 0
        sources: list[dict[str, str]] = []
        raw_sources = d.get("sources")
        if "sources" in d and (not isinstance(raw_sources, list) or not raw_sources):
            self.r.err(
                rel, doc.line("sources"), "'sources' must list at least one source"
            )
        elif isinstance(raw_sources, list):
            for i, s in enumerate(raw_sources):
                if (
                    not isinstance(s, dict)
                    or not str(s.get("title", "")).strip()
                    or not str(s.get("url", "")).startswith(("https://", "http://"))
                ):
                    self.r.err(
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
                self.r.err(rel, doc.line("audio"), f"'{audio}' is not an audio file")
            elif not self.r.source.exists(target):
                self.r.err(rel, doc.line("audio"), f"audio file '{audio}' not found")
            audio = target
        for key in ("title", "summary"):
            if key in d and not isinstance(d[key], str):
                self.r.err(rel, doc.line(key), f"'{key}' must be text")
        lesson = LessonData(
            id=lid,
            order=int(match.group(1)),
            path=rel,
            level=level or "",
            minutes=int(minutes or 0),
            competences=comps,
            target_groups=self.r.groups_list(
                rel, doc, d.get("target_groups", ["all"]), "target_groups"
            ),
            sources=sources,
            audio=audio,
        )
        primary = self.r.languages[0]
        lesson.title[primary] = str(d.get("title", "")).strip()
        lesson.summary[primary] = str(d.get("summary", "") or "").strip()
        lesson.self_check[primary] = self.self_checks(rel, doc, d.get("self_check"))
        lesson.body[primary] = body
        self.body(rel, body, body_line, lesson)
        for lang in self.r.languages[1:]:
            self.translation(lesson, lang)
        course.lessons.append(lesson)

    def translation(self, lesson: LessonData, lang: str) -> None:
        rel = lesson.path[: -len(".md")] + f".{lang}.md"
        if not self.r.source.exists(rel):
            if not is_partial(lang):  # a partial language falls back to Vietnamese
                self.r.err(
                    lesson.path, 1, f"missing translation: {rel.rsplit('/', 1)[-1]}"
                )
            return
        doc, body, body_line = self.front_matter(rel)
        if doc is None:
            return
        d = doc.data
        for key in sorted(set(d) - TRANSLATION_KEYS):
            self.r.err(
                rel,
                doc.line(key),
                f"unknown key '{key}' (a translation holds only "
                "title, summary, self_check)",
            )
        title = d.get("title")
        if not isinstance(title, str) or not title.strip():
            self.r.err(rel, 2, "missing 'title'")
        lesson.title[lang] = str(title or "").strip()
        lesson.summary[lang] = str(d.get("summary", "") or "").strip()
        primary = lesson.self_check.get(self.r.languages[0], [])
        if is_partial(lang) and "self_check" not in d:
            primary = []  # the Vietnamese self-check is shown instead
        checks = self.self_checks(rel, doc, d.get("self_check")) if primary else []
        if primary and len(checks) == len(primary):
            for i, (a, b) in enumerate(zip(primary, checks, strict=True)):
                if (a.answer, len(a.options)) != (b.answer, len(b.options)):
                    self.r.err(
                        rel,
                        doc.line("self_check", i),
                        f"self_check[{i}] must have the same options and answer "
                        "as the Vietnamese lesson",
                    )
        elif primary and checks:
            self.r.err(
                rel,
                doc.line("self_check"),
                "self_check must have as many questions as the Vietnamese lesson",
            )
        lesson.self_check[lang] = checks
        lesson.body[lang] = body
        self.body(rel, body, body_line, lesson)


def _checks(lesson: LessonData, lang: str) -> list[dict[str, object]]:
    return [
        {
            "question": q.question,
            "options": q.options,
            "answer": q.answer,
            "explanation": q.explanation,
        }
        for q in lesson.self_check.get(lang, [])
    ]


class _Importer:
    def __init__(
        self, pack: Any, data: PackData, source: PackSource, *, dry: bool = False
    ) -> None:
        self.pack, self.data, self.source = pack, data, source
        #: A dry run computes media URLs without storing the files.
        self.store = media_url_of if dry else media_store
        self.levels = {
            lv.code: lv for lv in Level.objects.filter(framework__slug=data.framework)
        }
        self.competences = {
            c.code: c
            for c in Competence.objects.filter(framework__slug=data.framework).order_by(
                "framework__created_at"
            )
        }
        self.groups = {g.slug: g for g in TargetGroup.objects.all()}
        self.created = self.updated = 0

    def group_set(self, slugs: list[str]) -> tuple[bool, list[TargetGroup]]:
        if "all" in slugs:
            return True, []
        return False, [self.groups[s] for s in slugs if s in self.groups]

    def course_fields(self, cd: CourseData) -> dict[str, Any]:
        return {
            "order": cd.order,
            "title_vi": cd.title.get("vi", ""),
            "title_en": cd.title.get("en", ""),
            "summary_vi": cd.summary.get("vi", ""),
            "summary_en": cd.summary.get("en", ""),
            "for_all_groups": "all" in cd.target_groups,
            "archived": False,
            "translations": {
                lang: {
                    key: texts[lang]
                    for key, texts in (("title", cd.title), ("summary", cd.summary))
                    if texts.get(lang)
                }
                for lang in self.data.languages
                if is_partial(lang) and (cd.title.get(lang) or cd.summary.get(lang))
            },
            "province_id": None if cd.national else self.data.province,
        }

    def course(self, cd: CourseData) -> Course:
        for_all, groups = self.group_set(cd.target_groups)
        course, _ = Course.objects.update_or_create(
            slug=cd.id,
            defaults={
                **self.course_fields(cd),
                "pack": self.pack,
                "for_all_groups": for_all,
            },
        )
        course.target_groups.set(groups)
        return course

    def lesson_fields(self, ld: LessonData) -> dict[str, Any]:
        """Return a lesson's rendered fields (media stored unless a dry run)."""

        def image_url(src: str) -> str:
            rel = posixpath.normpath(posixpath.join(posixpath.dirname(ld.path), src))
            return self.store(rel, self.source.files[rel])

        html_vi, text_vi = render_markdown(ld.body.get("vi", ""), image_url=image_url)
        html_en, text_en = ("", "")
        if ld.body.get("en"):
            html_en, text_en = render_markdown(ld.body["en"], image_url=image_url)
        audio = self.store(ld.audio, self.source.files[ld.audio]) if ld.audio else ""
        translations: dict[str, dict[str, object]] = {}
        for lang in self.data.languages:
            if not is_partial(lang) or not ld.body.get(lang):
                continue
            html, text = render_markdown(ld.body[lang], image_url=image_url)
            texts: dict[str, object] = {
                "title": ld.title.get(lang, ""),
                "summary": ld.summary.get(lang, ""),
                "html": html,
                "text": text,
                "self_check": _checks(ld, lang),
            }
            translations[lang] = {k: v for k, v in texts.items() if v}
        return {
            "order": ld.order,
            "title_vi": ld.title.get("vi", ""),
            "title_en": ld.title.get("en", ""),
            "summary_vi": ld.summary.get("vi", ""),
            "summary_en": ld.summary.get("en", ""),
            "html_vi": html_vi,
            "html_en": html_en,
            "text_vi": text_vi,
            "text_en": text_en,
            "minutes": ld.minutes,
            "for_all_groups": "all" in ld.target_groups,
            "sources": ld.sources,
            "audio_url": audio,
            "self_check_vi": _checks(ld, "vi"),
            "self_check_en": _checks(ld, "en"),
            "source_path": ld.path,
            "archived": False,
            "translations": translations,
        }

    def lesson(self, course: Course, ld: LessonData) -> Lesson:
        for_all, groups = self.group_set(ld.target_groups)
        lesson, created = Lesson.objects.update_or_create(
            slug=ld.id,
            defaults={
                **self.lesson_fields(ld),
                "course": course,
                "level": self.levels[ld.level],
                "for_all_groups": for_all,
            },
        )
        lesson.competences.set([self.competences[c] for c in ld.competences])
        lesson.target_groups.set(groups)
        if created:
            self.created += 1
        else:
            self.updated += 1
        return lesson


def _differs(row: Any, fields: dict[str, Any]) -> bool:
    return any(getattr(row, k) != v for k, v in fields.items())


def _groups_of(row: Course | Lesson) -> list[str]:
    return sorted(g.slug for g in row.target_groups.all())


def _wanted_groups(slugs: list[str]) -> list[str]:
    return [] if "all" in slugs else sorted(set(slugs))


def courses_plan(ctx: ImportContext) -> list[PackChange]:
    """Return the courses and lessons an import would add, change or archive."""
    courses = pack_courses(ctx.data)
    importer = _Importer(ctx.pack, ctx.data, ctx.source, dry=True)
    mine = Q(pack_id=ctx.pack.pk) if ctx.pack.pk else Q(pk__in=[])
    old_courses = {
        c.slug: c for c in Course.objects.filter(mine).prefetch_related("target_groups")
    }
    old_lessons = {
        lesson.slug: lesson
        for lesson in Lesson.objects.filter(course__in=list(old_courses.values()))
        .select_related("course", "level")
        .prefetch_related("competences", "target_groups")
    }
    changes: list[PackChange] = []

    def note(kind: str, rid: str, old: Any, changed: bool) -> None:
        if old is None or old.archived:
            changes.append(PackChange(kind, "added", rid))
        elif changed:
            changes.append(PackChange(kind, "changed", rid))

    for cd in courses:
        old_course = old_courses.get(cd.id)
        note(
            "course",
            cd.id,
            old_course,
            old_course is not None
            and (
                _differs(old_course, importer.course_fields(cd))
                or _groups_of(old_course) != _wanted_groups(cd.target_groups)
            ),
        )
        for ld in cd.lessons:
            old = old_lessons.get(ld.id)
            note(
                "lesson",
                ld.id,
                old,
                old is not None
                and (
                    _differs(old, importer.lesson_fields(ld))
                    or old.course.slug != cd.id
                    or old.level.code != ld.level
                    or sorted(c.code for c in old.competences.all())
                    != sorted(ld.competences)
                    or _groups_of(old) != _wanted_groups(ld.target_groups)
                ),
            )
    kept_courses = {c.id for c in courses}
    kept_lessons = {ld.id for c in courses for ld in c.lessons}
    changes += [
        PackChange("course", "archived", slug)
        for slug, c in old_courses.items()
        if not c.archived and slug not in kept_courses
    ]
    changes += [
        PackChange("lesson", "archived", slug)
        for slug, lesson in old_lessons.items()
        if not lesson.archived and slug not in kept_lessons
    ]
    return changes


def _ownership_issues(data: PackData) -> list[Issue]:
    issues = []
    others = Course.objects.exclude(pack__slug=data.id).filter(
        slug__in=[c.id for c in pack_courses(data)]
    )
    for course in others.select_related("pack"):
        issues.append(
            Issue(
                "pack.yaml",
                1,
                f"course id '{course.slug}' belongs to pack '{course.pack.slug}'",
            )
        )
    lesson_ids = [lesson.id for c in pack_courses(data) for lesson in c.lessons]
    for lesson in (
        Lesson.objects.exclude(course__pack__slug=data.id)
        .filter(slug__in=lesson_ids)
        .select_related("course__pack")
    ):
        issues.append(
            Issue(
                "pack.yaml",
                1,
                f"lesson id '{lesson.slug}' belongs to pack "
                f"'{lesson.course.pack.slug}'",
            )
        )
    return issues


class CoursesSection(PackSection):
    """Courses and lessons (``courses/``)."""

    key = "courses"

    def read(self, reader: PackReader, pack: PackData) -> None:
        """Read every course folder and its lessons."""
        checker = _CourseReader(reader)
        courses: list[CourseData] = []
        seen_courses: dict[str, str] = {}
        seen_lessons: dict[str, str] = {}
        folders = sorted(
            {
                rel.rsplit("/", 1)[0]
                for rel in reader.source.glob("courses/", "course.yaml")
            }
            | {
                "/".join(rel.split("/")[:2])
                for rel in reader.source.glob("courses/", ".md")
            }
        )
        for folder in folders:
            course = checker.course(folder, seen_courses)
            if course is None:
                continue
            lesson_files = [
                rel
                for rel in reader.source.glob(f"{folder}/lessons/", ".md")
                if rel.count(".") == 1
            ]
            if not lesson_files:
                reader.err(f"{folder}/course.yaml", 1, "the course has no lessons")
            for rel in lesson_files:
                checker.lesson(course, rel, seen_lessons)
            for rel in reader.source.glob(f"{folder}/lessons/", ".md"):
                stem, _, rest = rel.rpartition("/")[2].partition(".")
                lang = rest[: -len(".md")] if rest.count(".") == 1 else ""
                if lang and lang not in reader.languages:
                    reader.err(rel, 1, f"language '{lang}' is not listed in pack.yaml")
                elif lang and not reader.source.exists(f"{folder}/lessons/{stem}.md"):
                    reader.err(
                        rel, 1, f"translation without a Vietnamese lesson {stem}.md"
                    )
            courses.append(course)
        if not courses:
            reader.err(
                "pack.yaml", 1, "the pack has no courses (courses/<id>/course.yaml)"
            )
        pack.parts[self.key] = CoursesPart(courses)

    def summary(self, pack: PackData) -> dict[str, int]:
        courses = pack_courses(pack)
        return {
            "courses": len(courses),
            "lessons": sum(len(c.lessons) for c in courses),
        }

    def check_import(self, ctx: ImportContext) -> list[Issue]:
        issues = _ownership_issues(ctx.data)
        code = ctx.data.province
        if code is not None and not Province.objects.filter(pk=code).exists():
            issues.append(
                Issue(
                    "pack.yaml",
                    1,
                    f"province {code} is not loaded on this site (run hocvuso init)",
                )
            )
        return issues

    def plan(self, ctx: ImportContext) -> list[PackChange]:
        return courses_plan(ctx)

    def write(self, ctx: ImportContext) -> dict[str, int]:
        courses = pack_courses(ctx.data)
        importer = _Importer(ctx.pack, ctx.data, ctx.source)
        keep_courses: list[str] = []
        keep_lessons: list[str] = []
        total = sum(len(c.lessons) for c in courses)
        for cd in sorted(courses, key=lambda c: (c.order, c.id)):
            course = importer.course(cd)
            keep_courses.append(course.slug)
            for ld in sorted(cd.lessons, key=lambda lesson: lesson.order):
                importer.lesson(course, ld)
                keep_lessons.append(ld.id)
                ctx.report(len(keep_lessons), total, ld.id)
        archived = (
            Lesson.objects.filter(course__pack=ctx.pack, archived=False)
            .exclude(slug__in=keep_lessons)
            .update(archived=True)
        )
        Course.objects.filter(pack=ctx.pack, archived=False).exclude(
            slug__in=keep_courses
        ).update(archived=True)
        return {
            "courses": len(keep_courses),
            "lessons_created": importer.created,
            "lessons_updated": importer.updated,
            "lessons_archived": archived,
        }


SECTIONS = [CoursesSection]
