"""Courses and lessons imported from content packs, and learners' progress.

Content rows are keyed by the stable ids of the pack (``Course.slug``,
``Lesson.slug``): re-importing updates them in place, a lesson removed from the
pack is archived (never deleted) so progress that points at it survives.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel


def _lang() -> str:
    lang = get_language() or "vi"
    return "en" if lang.startswith("en") else "vi"


class Course(BaseModel):
    pack = models.ForeignKey(
        "packs.ContentPack", on_delete=models.PROTECT, related_name="courses"
    )
    slug = models.SlugField(_("course id"), max_length=80, unique=True)
    order = models.PositiveIntegerField(default=0)
    title_vi = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    summary_vi = models.TextField(blank=True)
    summary_en = models.TextField(blank=True)
    for_all_groups = models.BooleanField(default=True)
    target_groups = models.ManyToManyField(
        "framework.TargetGroup", blank=True, related_name="courses"
    )
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title_vi

    @property
    def title(self) -> str:
        return self.title_en if _lang() == "en" and self.title_en else self.title_vi

    @property
    def summary(self) -> str:
        return (
            self.summary_en if _lang() == "en" and self.summary_en else self.summary_vi
        )


class Lesson(BaseModel):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="lessons")
    slug = models.SlugField(_("lesson id"), max_length=120, unique=True)
    order = models.PositiveIntegerField(default=0)
    title_vi = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    summary_vi = models.TextField(blank=True)
    summary_en = models.TextField(blank=True)
    html_vi = models.TextField(help_text="Sanitised HTML rendered from Markdown")
    html_en = models.TextField(blank=True)
    text_vi = models.TextField(blank=True, help_text="Plain text, for search/audio")
    text_en = models.TextField(blank=True)
    competences = models.ManyToManyField("framework.Competence", related_name="lessons")
    level = models.ForeignKey(
        "framework.Level", on_delete=models.PROTECT, related_name="+"
    )
    minutes = models.PositiveSmallIntegerField(default=5)
    for_all_groups = models.BooleanField(default=True)
    target_groups = models.ManyToManyField(
        "framework.TargetGroup", blank=True, related_name="lessons"
    )
    sources: models.JSONField[Any] = models.JSONField(default=list)
    audio_url = models.CharField(max_length=300, blank=True)
    self_check_vi: models.JSONField[Any] = models.JSONField(default=list)
    self_check_en: models.JSONField[Any] = models.JSONField(default=list)
    source_path = models.CharField(max_length=300, blank=True)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["course__order", "order"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def __str__(self) -> str:
        return self.title_vi

    def _pick(self, vi: Any, en: Any) -> Any:
        return en if _lang() == "en" and en else vi

    @property
    def title(self) -> str:
        return str(self._pick(self.title_vi, self.title_en))

    @property
    def summary(self) -> str:
        return str(self._pick(self.summary_vi, self.summary_en))

    @property
    def html(self) -> str:
        return str(self._pick(self.html_vi, self.html_en))

    @property
    def text(self) -> str:
        return str(self._pick(self.text_vi, self.text_en))

    @property
    def self_check(self) -> list[dict[str, Any]]:
        return list(self._pick(self.self_check_vi, self.self_check_en))


class LessonProgress(BaseModel):
    """One learner's progress in one lesson (completion and time spent)."""

    SCOPE_COMMUNE_FIELD = "user__profile__commune"
    SCOPE_OWNER_FIELD = "user"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress"
    )
    lesson = models.ForeignKey(
        Lesson, on_delete=models.PROTECT, related_name="progress"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    seconds_spent = models.PositiveIntegerField(default=0)
    last_seen_at = models.DateTimeField()
    self_check_score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson"], name="progress_user_lesson_unique"
            )
        ]
        indexes = [models.Index(fields=["user", "-last_seen_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.lesson_id}"


class ProgressEvent(models.Model):
    """A client's progress report, kept to make retries idempotent."""

    event_id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    progress = models.ForeignKey(
        LessonProgress, on_delete=models.CASCADE, related_name="events"
    )
    seconds = models.PositiveIntegerField(default=0)
    completed = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.event_id)
