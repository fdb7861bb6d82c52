"""Writes for learning: importing content packs, recording progress."""

from __future__ import annotations

import hashlib
import posixpath
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hocvuso.accounts.models import User
from hocvuso.core.services import audit_record
from hocvuso.framework.models import Competence, Level, TargetGroup
from hocvuso.learning.errors import LessonNotFound, PackInvalid
from hocvuso.learning.media import media_store
from hocvuso.learning.models import (
    ContentPack,
    Course,
    Lesson,
    LessonProgress,
    ProgressEvent,
)
from hocvuso.learning.packs import CourseData, Issue, LessonData, PackData, pack_read
from hocvuso.learning.packsource import PackSource
from hocvuso.learning.rendering import render_markdown

ProgressCallback = Callable[[int, int, str], None]
PackHook = Callable[[ContentPack, PackData, PackSource, User | None], dict[str, int]]

#: Functions other apps register (in their ``AppConfig.ready``) to import their
#: part of a pack (the assessment app: items and blueprints). They run inside
#: the import transaction, after courses and lessons.
PACK_IMPORT_HOOKS: list[PackHook] = []


def pack_hook_register(hook: PackHook) -> None:
    if hook not in PACK_IMPORT_HOOKS:
        PACK_IMPORT_HOOKS.append(hook)


MAX_EVENT_SECONDS = 4 * 3600


@dataclass(frozen=True)
class PackImportResult:
    pack: ContentPack
    unchanged: bool
    courses: int
    lessons_created: int
    lessons_updated: int
    lessons_archived: int
    items: int


def _digest(source: PackSource) -> str:
    h = hashlib.sha256()
    for rel in sorted(source.files):
        h.update(rel.encode() + b"\0" + hashlib.sha256(source.files[rel]).digest())
    return h.hexdigest()


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
    def __init__(self, pack: ContentPack, data: PackData, source: PackSource) -> None:
        self.pack, self.data, self.source = pack, data, source
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

    def course(self, cd: CourseData) -> Course:
        for_all, groups = self.group_set(cd.target_groups)
        course, _ = Course.objects.update_or_create(
            slug=cd.id,
            defaults={
                "pack": self.pack,
                "order": cd.order,
                "title_vi": cd.title.get("vi", ""),
                "title_en": cd.title.get("en", ""),
                "summary_vi": cd.summary.get("vi", ""),
                "summary_en": cd.summary.get("en", ""),
                "for_all_groups": for_all,
                "archived": False,
            },
        )
        course.target_groups.set(groups)
        return course

    def lesson(self, course: Course, ld: LessonData) -> Lesson:
        def image_url(src: str) -> str:
            rel = posixpath.normpath(posixpath.join(posixpath.dirname(ld.path), src))
            return media_store(rel, self.source.files[rel])

        html_vi, text_vi = render_markdown(ld.body.get("vi", ""), image_url=image_url)
        html_en, text_en = ("", "")
        if ld.body.get("en"):
            html_en, text_en = render_markdown(ld.body["en"], image_url=image_url)
        audio = media_store(ld.audio, self.source.files[ld.audio]) if ld.audio else ""
        for_all, groups = self.group_set(ld.target_groups)
        lesson, created = Lesson.objects.update_or_create(
            slug=ld.id,
            defaults={
                "course": course,
                "order": ld.order,
                "title_vi": ld.title.get("vi", ""),
                "title_en": ld.title.get("en", ""),
                "summary_vi": ld.summary.get("vi", ""),
                "summary_en": ld.summary.get("en", ""),
                "html_vi": html_vi,
                "html_en": html_en,
                "text_vi": text_vi,
                "text_en": text_en,
                "level": self.levels[ld.level],
                "minutes": ld.minutes,
                "for_all_groups": for_all,
                "sources": ld.sources,
                "audio_url": audio,
                "self_check_vi": _checks(ld, "vi"),
                "self_check_en": _checks(ld, "en"),
                "source_path": ld.path,
                "archived": False,
            },
        )
        lesson.competences.set([self.competences[c] for c in ld.competences])
        lesson.target_groups.set(groups)
        if created:
            self.created += 1
        else:
            self.updated += 1
        return lesson


def _ownership_issues(data: PackData) -> list[Issue]:
    issues = []
    others = Course.objects.exclude(pack__slug=data.id).filter(
        slug__in=[c.id for c in data.courses]
    )
    for course in others.select_related("pack"):
        issues.append(
            Issue(
                "pack.yaml",
                1,
                f"course id '{course.slug}' belongs to pack '{course.pack.slug}'",
            )
        )
    lesson_ids = [lesson.id for c in data.courses for lesson in c.lessons]
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


@transaction.atomic
def pack_import(
    *,
    source: PackSource,
    actor: User | None,
    progress: ProgressCallback | None = None,
    force: bool = False,
) -> PackImportResult:
    """Validate and import a content pack; idempotent and all-or-nothing.

    Courses and lessons are matched by their stable ids and updated in place;
    lessons and courses missing from the new version are archived, never
    deleted, so learners' progress is kept. An unchanged pack (same files) is a
    no-op unless ``force``. Raises ``PackInvalid`` listing every problem.
    """
    report = pack_read(source)
    if report.pack is None or report.issues:
        raise PackInvalid(report.issues)
    data = report.pack
    ownership = _ownership_issues(data)
    if ownership:
        raise PackInvalid(ownership)
    digest = _digest(source)
    pack = ContentPack.objects.select_for_update().filter(slug=data.id).first()
    n_lessons = sum(len(c.lessons) for c in data.courses)
    if pack is not None and pack.content_hash == digest and not force:
        return PackImportResult(pack, True, len(data.courses), 0, 0, 0, len(data.items))
    before = {"version": pack.version} if pack else None
    if pack is None:
        pack = ContentPack(slug=data.id)
    pack.version = data.version
    pack.title_vi = data.title.get("vi", "")
    pack.title_en = data.title.get("en", "")
    pack.framework_slug = data.framework
    pack.license = data.license
    pack.content_hash = digest
    pack.imported_at = timezone.now()
    pack.save()

    importer = _Importer(pack, data, source)
    keep_courses: list[str] = []
    keep_lessons: list[str] = []
    done = 0
    for cd in sorted(data.courses, key=lambda c: (c.order, c.id)):
        course = importer.course(cd)
        keep_courses.append(course.slug)
        for ld in sorted(cd.lessons, key=lambda lesson: lesson.order):
            importer.lesson(course, ld)
            keep_lessons.append(ld.id)
            done += 1
            if progress is not None:
                progress(done, n_lessons, ld.id)
    archived = (
        Lesson.objects.filter(course__pack=pack, archived=False)
        .exclude(slug__in=keep_lessons)
        .update(archived=True)
    )
    Course.objects.filter(pack=pack, archived=False).exclude(
        slug__in=keep_courses
    ).update(archived=True)
    extra: dict[str, int] = {}
    for hook in PACK_IMPORT_HOOKS:
        extra |= hook(pack, data, source, actor)
    result = PackImportResult(
        pack=pack,
        unchanged=False,
        courses=len(keep_courses),
        lessons_created=importer.created,
        lessons_updated=importer.updated,
        lessons_archived=archived,
        items=len(data.items),
    )
    audit_record(
        actor=actor,
        action="content_pack.import",
        obj=pack,
        before=before,
        after={
            "version": pack.version,
            "courses": result.courses,
            "lessons_created": result.lessons_created,
            "lessons_updated": result.lessons_updated,
            "lessons_archived": result.lessons_archived,
            **extra,
        },
    )
    return result


@transaction.atomic
def progress_record(
    *,
    actor: User,
    lesson: Lesson,
    seconds: int = 0,
    completed: bool = False,
    event_id: uuid.UUID | None = None,
    self_check_score: int | None = None,
) -> LessonProgress:
    """Record time spent in and completion of a lesson; idempotent per event.

    A client sends a fresh ``event_id`` for each report and the same one when it
    retries: a repeated event changes nothing and returns the current progress.
    Completion never goes back to "not completed".
    """
    if lesson.archived:
        raise LessonNotFound(gettext("This lesson has been archived."))
    now = timezone.now()
    progress, _ = LessonProgress.objects.select_for_update().get_or_create(
        user=actor, lesson=lesson, defaults={"last_seen_at": now}
    )
    if event_id is not None:
        _, new = ProgressEvent.objects.get_or_create(
            event_id=event_id,
            defaults={"progress": progress, "seconds": seconds, "completed": completed},
        )
        if not new:
            return progress
    progress.seconds_spent += max(0, min(int(seconds), MAX_EVENT_SECONDS))
    progress.last_seen_at = now
    if completed and progress.completed_at is None:
        progress.completed_at = now
    if self_check_score is not None:
        progress.self_check_score = self_check_score
    progress.save()
    return progress
