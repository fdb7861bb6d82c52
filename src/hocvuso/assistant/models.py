"""The assistant's data: synonym tables, the question log, conversations, reports.

Nothing here holds personal data beyond a signed-in learner's own conversation
(kept ``HOCVUSO_ASSISTANT_KEEP_DAYS`` days, then deleted): the question log and
the reports keep questions with phone and ID numbers removed, and no user.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel


class SynonymTable(BaseModel):
    """A pack's synonyms and abbreviations (``synonyms.yaml``)."""

    pack = models.OneToOneField(
        "packs.ContentPack", on_delete=models.CASCADE, related_name="synonym_table"
    )
    groups: models.JSONField[Any] = models.JSONField(default=list)

    class Meta:
        verbose_name = _("synonym table")
        verbose_name_plural = _("synonym tables")

    def __str__(self) -> str:
        return str(self.pack_id)


class QuestionLog(models.Model):
    """One question asked, without who asked it nor any number that names them."""

    class Mode(models.TextChoices):
        EXTRACTIVE = "extractive", _("Quoted from a lesson")
        LLM = "llm", _("Written by the language model")
        UNKNOWN = "unknown", _("Not answered (no lesson close enough)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("asked at"), db_index=True)
    question = models.CharField(_("question"), max_length=400)
    lang = models.CharField(max_length=8)
    confident = models.BooleanField(_("answered"))
    coverage = models.FloatField(default=0.0)
    mode = models.CharField(max_length=12, choices=Mode.choices)
    answer = models.TextField(_("answer given"), blank=True)
    citations: models.JSONField[Any] = models.JSONField(
        _("passages cited"),
        default=list,
        help_text="Best first: lesson id, title, section, url, quoted text",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("question asked")
        verbose_name_plural = _("questions asked")

    def __str__(self) -> str:
        return self.question[:60]


class ConversationTurn(BaseModel):
    """One question and answer of a signed-in learner, shown back to them only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assistant_turns",
    )
    log = models.ForeignKey(
        QuestionLog, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    asked_at = models.DateTimeField(db_index=True)
    question = models.CharField(max_length=400)
    answer = models.TextField()
    confident = models.BooleanField()
    citations: models.JSONField[Any] = models.JSONField(default=list)

    class Meta:
        ordering = ["-asked_at"]
        indexes = [models.Index(fields=["user", "-asked_at"])]

    def __str__(self) -> str:
        return self.question[:60]


class AnswerReport(BaseModel):
    """A learner's report that an answer was wrong or not helpful, for editors."""

    class Reason(models.TextChoices):
        WRONG = "wrong", _("The answer was wrong")
        NOT_HELPFUL = "not_helpful", _("The answer did not help")

    log = models.ForeignKey(
        QuestionLog, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    question = models.CharField(_("question"), max_length=400)
    answer = models.TextField(_("answer given"), blank=True)
    citations: models.JSONField[Any] = models.JSONField(
        _("cited passages"), default=list
    )
    resolved = models.BooleanField(_("resolved"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("answer report")
        verbose_name_plural = _("answer reports")
        constraints = [
            models.UniqueConstraint(
                fields=["log", "reason"], name="assistant_report_once_per_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.question[:50]}"
