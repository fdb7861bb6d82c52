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
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel
from hocvuso.learning.language import content_language_get


def _pick(vi: Any, en: Any, translations: Any, key: str) -> tuple[Any, str]:
    """Return a text in the lesson language, else in Vietnamese, and its language.

    English is used when it is the lesson language and present (as always);
    a partial language (``translations[lang][key]``) likewise; everything
    missing falls back to Vietnamese, never to English.
    """
    lang = content_language_get()
    if lang == "en":
        return (en, "en") if en else (vi, "vi")
    if lang != "vi" and isinstance(translations, dict):
        value = (translations.get(lang) or {}).get(key)
        if value:
            return value, lang
    return vi, "vi"


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
    #: Texts in a pack's partial languages: ``{lang: {"title", "summary"}}``.
    translations: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    #: Shown only to learners of this province; None: to everyone.
    province = models.ForeignKey(
        "geo.Province",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("province"),
    )

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title_vi

    @property
    def title(self) -> str:
        return str(_pick(self.title_vi, self.title_en, self.translations, "title")[0])

    @property
    def title_language(self) -> str:
        """Return the language the course's title is shown in now."""
        return _pick(self.title_vi, self.title_en, self.translations, "title")[1]

    @property
    def summary(self) -> str:
        value = _pick(self.summary_vi, self.summary_en, self.translations, "summary")
        return str(value[0])


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
    #: Texts in a pack's partial languages: ``{lang: {"title", "summary",
    #: "html", "text", "self_check"}}``; a missing key falls back to Vietnamese.
    translations: models.JSONField[Any] = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["course__order", "order"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def __str__(self) -> str:
        return self.title_vi

    def _pick(self, vi: Any, en: Any, key: str) -> Any:
        return _pick(vi, en, self.translations, key)[0]

    @property
    def title(self) -> str:
        return str(self._pick(self.title_vi, self.title_en, "title"))

    @property
    def title_language(self) -> str:
        """Return the language the lesson's title is shown in now."""
        return _pick(self.title_vi, self.title_en, self.translations, "title")[1]

    @property
    def summary(self) -> str:
        return str(self._pick(self.summary_vi, self.summary_en, "summary"))

    @property
    def html(self) -> str:
        return str(self._pick(self.html_vi, self.html_en, "html"))

    @property
    def html_language(self) -> str:
        """Return the language the lesson's text is shown in now."""
        return _pick(self.html_vi, self.html_en, self.translations, "html")[1]

    @property
    def text(self) -> str:
        return str(self._pick(self.text_vi, self.text_en, "text"))

    @property
    def self_check(self) -> list[dict[str, Any]]:
        return list(self._pick(self.self_check_vi, self.self_check_en, "self_check"))

    @property
    def self_check_language(self) -> str:
        """Return the language the self-check is shown in now."""
        pair = _pick(
            self.self_check_vi, self.self_check_en, self.translations, "self_check"
        )
        return pair[1]

    @property
    def languages(self) -> list[str]:
        """Return the languages this lesson's text can be read in, Vietnamese first."""
        out = ["vi"] + (["en"] if self.html_en else [])
        return out + [
            lang
            for lang, texts in sorted(self.translations.items())
            if isinstance(texts, dict) and texts.get("html")
        ]


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
